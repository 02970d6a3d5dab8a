"""One CLI vocabulary: shared flags checked in one vocabulary, one KEY=VALUE grammar, default_hyper."""
from __future__ import annotations

import json
import re

import pytest

from descentlab.cli.main import main
from descentlab.errors import ConfigError
from descentlab.optim import OPTIMIZERS, default_hyper, make_optimizer
from descentlab.optim.conventions import PRESETS


def _err(capsys, *argv):
    rc = main(list(argv))
    err = capsys.readouterr().err
    return rc, err


# (argv, message pattern): each bad flag value is one sentence, status 2, before any work
BAD_FLAGS = [
    (["train", "xor", "--seed", "-1"], r"^descentlab train: error: expected --seed an integer >= 0, got -1\. Fix:"),
    (["train", "xor", "--epochs", "2.0"], r"expected --epochs an integer in \[1, 1000000\], got 2\.0\. Fix: pass --epochs as a whole "
                                          r"number \(an int, not a float\), e\.g\. --epochs 2\."),
    (["train", "xor", "--epochs", "true"], r"expected --epochs an integer in \[1, 1000000\], got True"),
    (["train", "xor", "--early-stopping", "0"], r"expected --early-stopping an integer in \[1, 1000000\] or None, got 0"),
    (["train", "xor", "--lr", "nan"], r"expected --lr >= 0 or None, got nan"),
    (["train", "xor", "--val-fraction", "1"], r"expected --val-fraction in \[0, 1\), got 1"),
    (["train", "xor", "--set", "momentum=0.9", "--set", "momentum=0.8"], r"each key of --set once, got momentum"),
    # PyTorch's SGD takes any momentum >= 0 (so does preset pytorch); a negative one is refused
    (["train", "xor", "--optimizer", "sgd", "--set", "momentum=-2"], r"sgd: expected momentum >= 0, got -2"),
    (["minimize", "x2", "--steps", "2.5"], r"^descentlab minimize: error: expected --steps an integer in \[0, 10000000\], got 2\.5"),
    (["minimize", "x2", "--lr", "-1"], r"expected --lr >= 0 or None, got -1"),
    (["minimize", "x2", "--grad-noise", "nan"], r"expected --grad-noise >= 0, got nan"),
    (["minimize", "x2", "--tol", "abc"], r"expected --tol >= 0, got 'abc'"),
    (["minimize", "x2", "--schedule", "cosine:total=1e2"], r"Cosine: expected total an integer >= 1, got 100\.0"),
    (["race", "booth", "--tune", "none", "--lr", "adam=-1", "-o", "", "--gif", ""], r"expected --lr adam >= 0, got -1"),
    (["race", "booth", "--starts", "0", "-o", "", "--gif", ""], r"expected --starts an integer in \[1, 10000\], got 0"),
    (["compare", "optimizers", "--epochs", "0"], r"expected --epochs an integer in \[1, 1000000\], got 0"),
    (["lr-find", "xor", "--lr-min", "0"], r"expected --lr-min > 0, got 0"),
    (["schedule", "--steps", "0"], r"expected --steps an integer in \[1, 10000000\], got 0"),
]


@pytest.mark.parametrize("argv,pattern", BAD_FLAGS, ids=[" ".join(a[:4]) for a, _ in BAD_FLAGS])
def test_a_bad_flag_value_is_one_sentence_with_status_2(argv, pattern, capsys):
    rc, err = _err(capsys, *argv)
    assert rc == 2 and re.search(pattern, err), err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err and "Fix:" in err


def test_the_flags_are_read_by_the_one_grammar(capsys):
    """--set, --surface-opt and the schedule's keys read values alike: 1e+3 is a number, true a flag."""
    rc = main(["minimize", "quadratic", "--surface-opt", "eigenvalues=1,10", "--optimizer", "momentum",
               "--set", "momentum=5e-1", "--set", "nesterov=true", "--lr", "1e-2", "--steps", "3", "--json", "-q"])
    out = json.loads(capsys.readouterr().out)
    assert rc == 0
    hyper = out["meta"]["optimizer"]["hyper"]
    assert hyper["momentum"] == 0.5 and hyper["nesterov"] is True and hyper["lr"] == 0.01


def test_default_hyper_is_what_make_optimizer_uses():
    """Checked against the optimizer make_optimizer builds, for every optimizer and preset."""
    pairs = 0
    for preset, table in PRESETS.items():
        for name in table:
            assert name in OPTIMIZERS
            try:
                built = make_optimizer(name, preset=preset)
            except ConfigError:  # the preset leaves a value to the user: default_hyper says so too
                with pytest.raises(ConfigError, match=rf"for {name} with preset '{preset}'.*has no default"):
                    default_hyper(name, preset)
                continue
            assert default_hyper(name, preset) == built.hyper, (name, preset)
            pairs += 1
    assert pairs >= 30
    assert default_hyper("GD")["lr"] == make_optimizer("sgd").lr  # names are read as make_optimizer reads them
    with pytest.raises(ConfigError, match="preset among"):
        default_hyper("adam", "tensorflow")


def test_a_schedule_without_lr_starts_from_the_presets_lr(capsys):
    base = default_hyper("adam", "keras")["lr"]
    main(["minimize", "booth", "--optimizer", "adam", "--preset", "keras", "--schedule", "exp:k=0.1",
          "--steps", "3", "--json", "-q"])
    implicit = json.loads(capsys.readouterr().out)
    main(["minimize", "booth", "--optimizer", "adam", "--preset", "keras", "--schedule", "exp:k=0.1",
          "--lr", str(base), "--steps", "3", "--json", "-q"])
    explicit = json.loads(capsys.readouterr().out)
    assert implicit["x"] == explicit["x"] and implicit["lr"][0] == base


def test_cli_commands_hold_no_key_value_parser_of_their_own():
    """The four KEY=VALUE parsers became descentlab.keyvalue; commands only call it through _common."""
    from pathlib import Path

    import descentlab.cli.commands as commands

    for path in Path(commands.__file__).parent.glob("*.py"):
        text = path.read_text()
        assert ".partition(\"=\")" not in text and "partition('=')" not in text, path.name
