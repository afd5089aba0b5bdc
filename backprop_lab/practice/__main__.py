"""``python -m backprop_lab.practice encode VALUE``: the code of an answer, for lesson authors.

VALUE is a number (``-4``, ``0.25``, ``1/4``), a shape (``shape:2x3``), an option's text
(``text:max``) or JSON (``json:{"add": "why add is wrong", ...}`` for a question's
explanations, ``json:[[1, 2], [3, 4]]`` for an array).  ``decode CODE`` shows what a code holds.
"""
import json
import sys

from .checking import AnswerError, parse_number, parse_shape
from .questions import decode, encode


def main(argv: list[str]) -> int:
    if argv[1:2] == ["--"]:           # encode -- -4 (a negative number after --)
        argv = argv[:1] + argv[2:]
    if len(argv) != 2 or argv[0] not in ("encode", "decode"):
        print(__doc__)
        return 2
    command, value = argv
    if command == "decode":
        print(decode(value))
        return 0
    try:
        if value.startswith("shape:"):
            print(encode(parse_shape(value[len("shape:"):])))
        elif value.startswith("text:"):
            print(encode(value[len("text:"):]))
        elif value.startswith("json:"):
            print(encode(json.loads(value[len("json:"):])))
        else:
            print(encode(parse_number(value)))
    except (AnswerError, ValueError, TypeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
