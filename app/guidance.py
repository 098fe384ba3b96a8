"""What to do next, said on the preview while a page has no hints (issue 16 item 5), and Help's short
"how to colour a page" (F1, beside the shortcut table).

A freshly opened sketch shows the network's guess without hints, often a rainbow that means nothing yet.
Until the first hint the preview says how to start; while the model is a stand-in (an untrained network,
as when no trained weights are installed) it also says that its colours mean nothing.
"""

from __future__ import annotations

FIRST_STEPS = (
    "Colour this page\n"
    "1  Pick a colour: the colour selector, or Alt+click a colour anywhere\n"
    "2  Click or drag on the line art (B) to place colour hints\n"
    "3  The colours appear here as you place them\n"
    "Hints made elsewhere: File ▸ Import Hint Layer…"
)
STAND_IN = "Stand-in model: untrained, its colours mean nothing. Choose a trained one in File ▸ Settings."

HOW_TO = """<h3>How to colour a page</h3>
<ol>
<li><b>Open</b> the line art (Ctrl+O, or drop a file). A photo or scan with grey paper: Edit ▸ Clean Up
Line Art (Ctrl+L) first.</li>
<li><b>Pick a colour</b> in the colour selector, from the palette, or Alt+click (Ctrl+click) the canvas or
the preview.</li>
<li><b>Place hints</b> with the brush (B): a click or a short drag inside each area is enough; the network
fills the area up to its lines. [ and ] change the size.</li>
<li><b>Look at the preview</b> and adjust: the move tool (M) drags a stroke, the eraser (E) removes a
stroke with a click or what it touches with a drag, right-click a stroke to recolour it. Ctrl+Z undoes.</li>
<li><b>Save</b> the project (Ctrl+S) and <b>export</b> the picture (Ctrl+E), or layers as .ora / .psd.</li>
</ol>
<p>Hints made elsewhere: File ▸ Import Hint Layer… (LineTint JSON, or a transparent PNG painted in
another program).</p>"""


def guidance_text(has_document: bool, has_hints: bool, trained: bool | None) -> str:
    """The preview's overlay: first steps until there are hints, a note while the model is a stand-in
    (``trained`` False; None while it loads), and nothing once the page is under way."""
    if not has_document:
        return ""  # the canvas says how to open a picture
    lines = [] if has_hints else [FIRST_STEPS]
    if trained is False:
        lines.append(STAND_IN)
    return "\n\n".join(lines)
