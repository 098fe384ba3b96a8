import os
import tempfile

# QSettings (recent files, window layout, preferences) must never touch the real user's: a throwaway
# config home for the whole run, set before Qt reads it.
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="linetint-test-config-")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyside6")
os.environ.setdefault("QT_DRIVER", "PySide6")
