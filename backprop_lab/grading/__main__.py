"""``python -E -P -m backprop_lab.grading``: the judge process of the hidden tests."""
from .judge import main

main()
