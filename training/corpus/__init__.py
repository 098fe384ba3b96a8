"""`linetint corpus`: a training folder of real drawings, built from their archives as they ship."""
