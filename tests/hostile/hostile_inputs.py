#!/usr/bin/env python3
"""Hostile inputs for the `chorus` CLI: generate a few hundred broken, oversized, odd or
non-file inputs in a temporary directory and check the CLI's input-error contract on each.

Run (standard library only, no build needed):

    python3 tests/hostile/hostile_inputs.py --cli build/tools/chorus \
        --shared /work/shared --source /work/main [--timeout 10] [--jobs 4] [--max-rss-mb 2048]
        [--seed N] [--keep] [-v]

Also useful with the ASan+UBSan build (--cli build-asan/tools/chorus): sanitizer reports
then count as violations.

Classes (each case is one CLI invocation):
  board     `chorus board FILE --emit header|ld|dts|svg|report`: mutated dts/boards/*.xml
            (truncated, elements/attributes deleted or duplicated, hostile attribute values,
            garbage, empty, NUL byte, deep nesting, entity bomb, 2 MB), and non-files
            (directory, /dev/zero, FIFO, missing path)
  scenario  `chorus sim --board dts/boards/mps3_an547.xml --scenario FILE --duration 0.2`
            (--sim-board BOARD to use another board):
            mutated samples/multi_model/scenario.xml and tests/fuzz/corpus/scenario/*.xml
            (model paths rewritten to absolute paths), hostile numbers and model paths
  model     `chorus info|plan FILE`, `chorus infer --model FILE --input IN --output OUT`:
            truncated / bit-flipped / zeroed / padded models, 70 MB sparse file (64 MiB limit),
            non-files, input files of the wrong size, unwritable outputs
  wav       `chorus listen FILE`: corrupted RIFF headers of data/yes_1000ms.wav, truncations,
            empty file, directories (empty, without any .wav, with a broken .wav), non-files
  embed     `chorus embed MODEL --name NAME --out OUT`: hostile names and unwritable outputs

The contract checked on every case:
  * the process ends within --timeout seconds (a timeout is a violation; FIFO *inputs* must
    be refused after stat() without being opened, FIFO *outputs* opened without waiting;
    every case gets its own FIFO) and stays under --max-rss-mb of resident memory;
  * the exit code is 0 (a mutation may stay valid), 1 (bad input) or 2 (usage), and also 3
    for `chorus sim` (deadline missed); a signal or any other code is a violation. Inputs
    that are invalid by construction (empty, garbage, non-files, over the size limit,
    truncated XML) must not exit 0;
  * stderr has at most 2 lines of at most 600 bytes each, no raw control characters (ESC,
    CR, NUL, ...) apart from line ends, and no sanitizer report ("ERROR: AddressSanitizer",
    "runtime error:", "LeakSanitizer");
  * on exit 1, stderr names the hostile file (its path or at least its basename).

Output: one line per violation (class, command, what went wrong, the input, the first 200
bytes of stderr as a Python bytes literal), a note for each unmutated input the CLI refuses
(then the mutations of that class mostly exercise that one refusal), a summary per class
and a total line. Exit status 0 only
when there is no violation. The random mutations use a fixed seed (--seed), so runs are
reproducible; --keep leaves the generated inputs in place to reproduce a violation.
"""

import argparse
import collections
import concurrent.futures
import json
import os
import random
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time

DEFAULT_SEED = 20261206
SANITIZER_MARKERS = (b"ERROR: AddressSanitizer", b"runtime error:", b"LeakSanitizer")
MAX_STDERR_LINES = 2
MAX_STDERR_LINE_BYTES = 600

# Hostile attribute values (bytes; control characters stay raw in the file).
HOSTILE_VALUES = [
    b"", b"-1", b"-0", b"0", b"99999999999999999999", b"18446744073709551615",
    b"18446744073709551616", b"18446744073709551.999", b"0x", b"0x-1", b"1e3", b"NaN", b"inf",
    b"-inf", b" 1", b"1 ", b"4294967296", b"2147483648", b"0xFFFFFFFFFFFFFFFF", b"-4K", b"16E",
    b"1K1", b"0.5M", b"A" * 100000, b"\x1b[31mred\x1b[0m", b"a\nb", b"a\rb", b"a\tb",
    b"a&quot;b", b"*/", b"/* x */", b"int", b"class", b"NULL", b"INT32_MAX", b"ORIGIN",
    b"NOLOAD", b"a-b", b"a b", "ünïcødé_名前".encode(), b"\xff\xfe\x80", b"%s%n%x",
    b"../../etc/passwd", b"};", b"&#27;[2J", b"&#0;", b"&amp;&lt;&gt;",
]
# Values for numeric scenario attributes.
HOSTILE_NUMBERS = [
    b"", b"0", b"-1", b"0.0", b"-0.5", b"1e3", b"NaN", b"inf", b"0x10", b" 5", b"5 ", b"1.",
    b".5", b"1..2", b"99999999999999999999", b"18446744073709551.999", b"0.000001",
    b"4294967296", b"256", b"65", b"8", b"86401", b"\x1b[31m5",
]
NUMERIC_BOARD_ATTRS = (b"base", b"size", b"reserved", b"clock", b"speed", b"alignment", b"rate",
                      b"buffer", b"macs-per-cycle", b"irq", b"command-alignment",
                      b"tensor-alignment", b"conv", b"depthwise", b"byte", b"op", b"step")
IDENT_NAMES = ["int", "class", "NULL", "INT32_MAX", "9lives", "a-b", "", "x" * 100,
               "\x1b[31mred", "a b", "main", "ünï", "__reserved", "std", "ORIGIN"]


class Case:
    __slots__ = ("cls", "argv", "paths", "allowed", "must_fail", "desc", "result")

    def __init__(self, cls, argv, paths, desc, allowed=(0, 1, 2), must_fail=False):
        self.cls = cls
        self.argv = [str(a) for a in argv]
        self.paths = [str(p) for p in paths]  # files of which stderr must name one on exit 1
        self.allowed = set(allowed)
        self.must_fail = must_fail
        self.desc = desc
        self.result = None


def xml_escape(value):
    return value.replace(b"&", b"&amp;").replace(b"<", b"&lt;").replace(b'"', b"&quot;")


def short(value, limit=60):
    text = repr(value[:limit])
    if len(value) > limit:
        text += "... (%d bytes)" % len(value)
    return text


def line_of(data, offset):
    return data.count(b"\n", 0, offset) + 1


ATTR_RE = re.compile(rb'(?<=\s)([A-Za-z_][\w:.-]*)="([^"]*)"')
ELEM_RE = re.compile(rb"<([A-Za-z_][\w.-]*)\b[^<>]*?/>")
OPEN_RE = re.compile(rb"<([A-Za-z_][\w.-]*)\b")


def strip_comments(data):
    """Blank out comments and <?...?> (same length) so regexes do not match inside them."""
    return re.sub(rb"<!--.*?-->|<\?.*?\?>", lambda m: b" " * len(m.group(0)), data, flags=re.S)


def element_at(data, offset):
    start = data.rfind(b"<", 0, offset)
    m = OPEN_RE.match(data, start)
    return m.group(1).decode() if m else "?"


class Generator:
    def __init__(self, args, tmp):
        self.args = args
        self.tmp = tmp
        self.rng = random.Random(args.seed)
        self.cli = args.cli
        self.source = args.source
        self.shared = args.shared
        self.models_dir = os.path.join(args.shared, "models")
        self.counter = 0

    # ---- helpers -------------------------------------------------------------------
    def write(self, subdir, stem, data, ext):
        self.counter += 1
        d = os.path.join(self.tmp, subdir)
        os.makedirs(d, exist_ok=True)
        path = os.path.join(d, "%03d_%s%s" % (self.counter, stem, ext))
        with open(path, "wb") as f:
            f.write(data)
        return path

    def fifo(self, subdir):
        """A new FIFO that nobody opens: one per case, so that two cases running at the same
        time can never pair up as reader and writer of the same FIFO."""
        self.counter += 1
        d = os.path.join(self.tmp, subdir)
        os.makedirs(d, exist_ok=True)
        path = os.path.join(d, "%03d_fifo" % self.counter)
        os.mkfifo(path)
        return path

    def nonfiles(self, subdir):
        """A directory, /dev/zero, a (new) FIFO nobody writes to and a missing path."""
        self.counter += 1
        d = os.path.join(self.tmp, subdir)
        directory = os.path.join(d, "%03d_directory" % self.counter)
        os.makedirs(directory)
        fifo = self.fifo(subdir)
        missing = os.path.join(d, "no_such_dir", "missing_file")
        return [("directory", directory), ("/dev/zero", "/dev/zero"), ("FIFO", fifo),
                ("nonexistent path", missing)]

    def model(self, name):
        return os.path.join(self.models_dir, name + ".tflite")

    # ---- common XML mutations ----------------------------------------------------
    def xml_mutations(self, base, root_tag, count_each):
        """(description, bytes, must_fail) tuples of structural mutations of `base`."""
        rng = self.rng
        out = []
        clean = strip_comments(base)
        attrs = list(ATTR_RE.finditer(clean))
        elems = [m for m in ELEM_RE.finditer(clean)]
        close = base.rfind(b"</" + root_tag + b">")
        root = clean.find(b"<" + root_tag)
        for i in range(count_each["truncate"]):
            # mostly inside the elements; every third cut anywhere before the end tag closes
            lo = 0 if i % 3 == 2 or root < 0 else root
            cut = rng.randrange(lo, close + len(root_tag) + 2) if close > 0 else rng.randrange(len(base))
            out.append(("truncated to %d of %d bytes" % (cut, len(base)), base[:cut], True))
        for _ in range(count_each["del_attr"]):
            m = rng.choice(attrs)
            out.append(("deleted attribute %s of <%s> (line %d)" % (
                m.group(1).decode(), element_at(clean, m.start()), line_of(base, m.start())),
                base[:m.start()] + base[m.end():], False))
        for _ in range(count_each["dup_attr"]):
            m = rng.choice(attrs)
            out.append(("duplicated attribute %s of <%s> (line %d)" % (
                m.group(1).decode(), element_at(clean, m.start()), line_of(base, m.start())),
                base[:m.end()] + b" " + m.group(0) + base[m.end():], False))
        for _ in range(count_each["del_elem"]):
            if not elems:
                break
            m = rng.choice(elems)
            out.append(("deleted element <%s> (line %d)" % (m.group(1).decode(), line_of(base, m.start())),
                        base[:m.start()] + base[m.end():], False))
        for _ in range(count_each["dup_elem"]):
            if not elems:
                break
            m = rng.choice(elems)
            times = rng.choice([1, 1, 2, 40])
            out.append(("duplicated element <%s> (line %d) %d time(s)" % (
                m.group(1).decode(), line_of(base, m.start()), times),
                base[:m.end()] + (b"\n" + m.group(0)) * times + base[m.end():], False))
        return out, attrs

    def replace_attr(self, base, m, value, raw=False):
        v = value if raw else xml_escape(value)
        return base[:m.start(2)] + v + base[m.end(2):]

    def generic_xml_junk(self, root_tag, valid_base):
        """Whole-file hostile XML: (description, bytes, must_fail)."""
        rng = self.rng
        garbage = bytes(rng.randrange(256) for _ in range(4096))
        nested = b"<" + root_tag + b">" + b"<a>" * 10000 + b"</a>" * 10000 + b"</" + root_tag + b">\n"
        bomb = (b'<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
                + b"".join(b' <!ENTITY lol%d "%s">\n' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
                           for i in range(1, 10))
                + b"]>\n<" + root_tag + b' name="&lol9;"/>\n')
        big = valid_base.replace(b"?>", b"?>\n<!--" + b"x" * (2 * 1024 * 1024) + b"-->", 1)
        with_nul = valid_base[:len(valid_base) // 2] + b"\x00" + valid_base[len(valid_base) // 2:]
        return [
            ("empty file", b"", True),
            ("4 KiB of random bytes", garbage, True),
            ("random bytes after the XML declaration", b'<?xml version="1.0"?>\n' + garbage[:512], True),
            ("a NUL byte in the middle of a valid file", with_nul, True),
            ("only whitespace", b" \n\t\n" * 10, True),
            ("10000 nested <a> elements inside the root", nested, True),
            ("entity-expansion bomb (lol1..lol9)", bomb, False),
            ("a valid file padded to 2 MiB with a comment (over the 1 MiB limit)", big, True),
            ("UTF-16 encoded copy of a valid file", b"\xff\xfe" + valid_base.decode("utf-8", "replace").encode("utf-16-le"), False),
            ("wrong root element", valid_base.replace(b"<" + root_tag, b"<nothing", 1).replace(
                b"</" + root_tag + b">", b"</nothing>"), True),
        ]

    # ---- unmutated inputs (not counted) -------------------------------------------------
    def baseline_cases(self):
        boards_dir = os.path.join(self.source, "dts", "boards")
        cases = []
        for f in sorted(os.listdir(boards_dir)):
            if f.endswith(".xml"):
                path = os.path.join(boards_dir, f)
                cases.append(Case("board", [self.cli, "board", path, "--emit", "header"], [path], f, allowed=(0,)))
        scen = os.path.join(self.source, "tests", "fuzz", "corpus", "scenario", "fixed_levels.xml")
        cases.append(Case("scenario", [self.cli, "sim", "--board", self.args.sim_board, "--scenario", scen,
                                       "--duration", "0.2"], [scen], "fixed_levels.xml", allowed=(0, 3)))
        for m in ("hello_world_int8", "kws_ref_model", "micro_speech_quantized"):
            cases.append(Case("model", [self.cli, "info", self.model(m)], [], m, allowed=(0,)))
        wav = os.path.join(self.shared, "data", "yes_1000ms.wav")
        cases.append(Case("wav", [self.cli, "listen", wav], [], "yes_1000ms.wav", allowed=(0,)))
        return cases

    # ---- class 1: board XML --------------------------------------------------------
    def board_cases(self):
        rng = self.rng
        boards_dir = os.path.join(self.source, "dts", "boards")
        boards = sorted(f for f in os.listdir(boards_dir) if f.endswith(".xml"))
        hello = self.model("hello_world_int8")
        emits = [["--emit", "header"]] * 6 + [["--emit", "ld", "--models", hello], ["--emit", "dts"],
                                              ["--emit", "svg"], ["--emit", "report"],
                                              ["--emit", "report", "--json"]]
        cases = []
        pool = list(HOSTILE_VALUES)
        rng.shuffle(pool)
        values = iter(pool * 2)

        def add(path, desc, must_fail=False, emit=None):
            emit = emit or rng.choice(emits)
            paths = [path] + ([hello] if "--models" in emit else [])
            cases.append(Case("board", [self.cli, "board", path] + emit, paths, desc, must_fail=must_fail))

        for bname in boards:
            base = open(os.path.join(boards_dir, bname), "rb").read()
            stem = bname[:-4]
            muts, attrs = self.xml_mutations(base, b"board", {
                "truncate": 2, "del_attr": 1, "dup_attr": 1, "del_elem": 1, "dup_elem": 1})
            for desc, data, must_fail in muts:
                add(self.write("board", stem, data, ".xml"), "%s: %s" % (bname, desc), must_fail)
            # hostile values: names (they end up in C++, dts and ld output), numbers, any attribute
            named = [m for m in attrs if m.group(1) in (b"name", b"regions", b"weights", b"region")]
            numeric = [m for m in attrs if m.group(1) in NUMERIC_BOARD_ATTRS]
            for i in range(5):
                m = rng.choice([named, numeric, attrs][i % 3] or attrs)
                value = next(values)
                raw = value.startswith(b"&") or value == b"a&quot;b"
                data = self.replace_attr(base, m, value, raw=raw)
                desc = "%s: <%s %s> (line %d) set to %s" % (
                    bname, element_at(strip_comments(base), m.start()), m.group(1).decode(),
                    line_of(base, m.start()), short(value))
                emit = rng.choice([["--emit", "header"], ["--emit", "ld", "--models", hello],
                                   ["--emit", "dts"], ["--emit", "svg"], ["--emit", "report"]])
                add(self.write("board", stem, data, ".xml"), desc, emit=emit)
        # identifiers that reach C++, devicetree and ld output: a region and the board renamed
        # consistently (so only the identifier rules can refuse them)
        base = open(os.path.join(boards_dir, "mps3_an547.xml"), "rb").read()
        for i, ident in enumerate([b"int", b"class", b"NULL", b"INT32_MAX", b"ORIGIN", b"NOLOAD", b"a-b",
                                   b"a b", "ünï".encode(), b"x" * 100, b"y" * 100000, b"\x1b[31m", b"SRAM", b"_x"]):
            emit = [["--emit", "header"], ["--emit", "ld", "--models", hello], ["--emit", "dts"]][i % 3]
            data = re.sub(rb"\bisram\b", lambda _: xml_escape(ident), base)
            add(self.write("board", "region_ident", data, ".xml"),
                "mps3_an547.xml: region isram renamed %s everywhere" % short(ident), emit=emit)
            if i % 2 == 0:
                data = base.replace(b'name="mps3_an547"', b'name="' + xml_escape(ident) + b'"')
                add(self.write("board", "board_ident", data, ".xml"),
                    "mps3_an547.xml: board name set to %s" % short(ident), emit=emit)
        # unknown element and attribute, raw quote break, CRLF, BOM
        add(self.write("board", "unknown_elem", base.replace(b"</board>", b"<gpu cores=\"4\"/></board>"), ".xml"),
            "mps3_an547.xml + unknown element <gpu cores=\"4\"/>")
        add(self.write("board", "unknown_attr", base.replace(b"<board ", b"<board colour=\"red\" ", 1), ".xml"),
            "mps3_an547.xml + unknown attribute colour on <board>")
        add(self.write("board", "crlf", base.replace(b"\n", b"\r\n"), ".xml"),
            "mps3_an547.xml with CRLF line ends")
        add(self.write("board", "bom", b"\xef\xbb\xbf" + base, ".xml"), "mps3_an547.xml with a UTF-8 BOM")
        add(self.write("board", "quote", base.replace(b'name="sram"', b'name="sr"am"', 1), ".xml"),
            "mps3_an547.xml with name=\"sr\"am\" (raw quote)", must_fail=True)
        add(self.write("board", "bigsize", base.replace(b'size="2G"', b'size="99999999999999999999G"'), ".xml"),
            "mps3_an547.xml with ddr size=\"99999999999999999999G\"")
        add(self.write("board", "overlap", base.replace(b'base="0x01000000"', b'base="0x00000000"'), ".xml"),
            "mps3_an547.xml with sram overlapping itcm (base 0x0)")
        add(self.write("board", "comment_name", base.replace(b'name="isram"', b'name="*/ int x; /*"'), ".xml"),
            "mps3_an547.xml with memory name \"*/ int x; /*\"")
        for desc, data, must_fail in self.generic_xml_junk(b"board", base):
            add(self.write("board", "junk", data, ".xml"), desc, must_fail)
        for desc, path in self.nonfiles("board_nf"):
            add(path, "board file is a " + desc, must_fail=True, emit=["--emit", "header"])
        fifo = dict(self.nonfiles("board_nf"))["FIFO"]
        add(fifo, "board file is a FIFO", must_fail=True, emit=["--emit", "ld", "--models", hello])
        return cases

    # ---- class 2: scenario XML -----------------------------------------------------
    def scenario_cases(self):
        rng = self.rng
        board = self.args.sim_board
        sdir = os.path.join(self.tmp, "scenario")
        os.makedirs(sdir, exist_ok=True)
        # relative model paths resolve against the scenario file: keep copies next to it
        local_models = os.path.join(sdir, "models")
        os.makedirs(local_models, exist_ok=True)
        for m in ("hello_world_int8", "micro_speech_quantized"):
            shutil.copy(self.model(m), os.path.join(local_models, m + ".tflite"))
        bases = []
        sample = open(os.path.join(self.source, "samples", "multi_model", "scenario.xml"), "rb").read()
        sample = re.sub(rb'model="(?:\.\./)+shared/models/', ('model="%s/' % self.models_dir).encode(), sample)
        bases.append(("multi_model/scenario.xml", sample))
        corpus = os.path.join(self.source, "tests", "fuzz", "corpus", "scenario")
        for f in sorted(os.listdir(corpus)):
            if f.endswith(".xml"):
                bases.append(("fuzz/corpus/scenario/" + f, open(os.path.join(corpus, f), "rb").read()))
        cases = []

        def add(path, desc, must_fail=False, extra=()):
            cases.append(Case("scenario", [self.cli, "sim", "--board", board, "--scenario", path,
                                           "--duration", "0.2"], [path, board] + list(extra), desc,
                              allowed=(0, 1, 2, 3), must_fail=must_fail))

        def write(stem, data):
            self.counter += 1
            path = os.path.join(sdir, "%03d_%s.xml" % (self.counter, stem))
            with open(path, "wb") as f:
                f.write(data)
            return path

        for bname, base in bases:
            muts, attrs = self.xml_mutations(base, b"scenario", {
                "truncate": 1, "del_attr": 2, "dup_attr": 1, "del_elem": 0, "dup_elem": 1})
            for desc, data, must_fail in muts:
                add(write("mut", data), "%s: %s" % (bname, desc), must_fail)
            numeric = [m for m in attrs if m.group(1) in (
                b"period_ms", b"deadline_ms", b"phase_ms", b"duration_s", b"level", b"priority",
                b"input_seed", b"steps", b"cycles")]
            for _ in range(5):
                m = rng.choice(numeric)
                value = rng.choice(HOSTILE_NUMBERS)
                data = self.replace_attr(base, m, value)
                add(write("num", data), "%s: %s (line %d) set to %s" % (
                    bname, m.group(1).decode(), line_of(base, m.start()), short(value)))
        # targeted scenario cases on a small features + model scenario
        def scen(pipelines, head=b'<scenario name="t">'):
            return head + b"\n" + b"\n".join(pipelines) + b"\n</scenario>\n"
        feat = b'<pipeline name="f" period_ms="10"><features steps="1" cycles="1000"/></pipeline>'
        garbage_model = self.write("scenario_inputs", "garbage", bytes(rng.randrange(256) for _ in range(2000)), ".tflite")
        empty_model = self.write("scenario_inputs", "empty", b"", ".tflite")
        nf = dict(self.nonfiles("scenario_nf"))
        for desc, mpath in [("a directory", nf["directory"]), ("a FIFO", nf["FIFO"]),
                            ("/dev/zero", "/dev/zero"), ("a missing file", nf["nonexistent path"]),
                            ("random bytes", garbage_model), ("an empty file", empty_model),
                            ("an empty string", ""), ("the scenario directory '.'", ".")]:
            data = scen([feat, b'<pipeline name="m" model="%s" period_ms="100"/>' % xml_escape(mpath.encode())])
            add(write("model", data), "model path is %s (%s)" % (desc, mpath), must_fail=True,
                extra=[mpath] if mpath not in ("", ".") else [])  # "" and "." would match anything
        add(write("relmodel", scen([b'<pipeline name="m" model="models/hello_world_int8.tflite" period_ms="100"/>'])),
            "relative model path models/hello_world_int8.tflite (valid)")
        add(write("relmissing", scen([b'<pipeline name="m" model="../../../../../../nope.tflite" period_ms="100"/>'])),
            "relative model path ../../../../../../nope.tflite", must_fail=True)
        specials = [
            ("name with ESC and CR", [b'<pipeline name="a\x1b[31m\rb" period_ms="10"><features cycles="10"/></pipeline>'], True),
            ("name of 100000 chars", [b'<pipeline name="%s" period_ms="10"><features cycles="10"/></pipeline>' % (b"n" * 100000)], True),
            ("name of 200 chars", [b'<pipeline name="%s" period_ms="10"><features cycles="10"/></pipeline>' % (b"n" * 200)], True),
            ("duplicate pipeline names", [feat, feat], True),
            ("17 pipelines (limit 16)", [b'<pipeline name="p%d" period_ms="100"><features cycles="10"/></pipeline>' % i
                                         for i in range(17)], True),
            ("deadline_ms > period_ms", [b'<pipeline name="a" period_ms="10" deadline_ms="20"><features cycles="10"/></pipeline>'], True),
            ("features in a model pipeline", [b'<pipeline name="m" model="models/hello_world_int8.tflite" period_ms="100"><features cycles="10"/></pipeline>'], True),
            ("two <features>", [b'<pipeline name="a" period_ms="10"><features cycles="10"/><features cycles="10"/></pipeline>'], True),
            ("steps=65", [b'<pipeline name="a" period_ms="10"><features steps="65" cycles="10"/></pipeline>'], True),
            ("level=8", [b'<pipeline name="a" period_ms="10" level="8"><features cycles="10"/></pipeline>'], True),
            ("levels given for some pipelines only", [feat, b'<pipeline name="g" period_ms="10" level="1"><features cycles="10"/></pipeline>'], True),
            ("overload=\"panic\"", [b'<pipeline name="a" period_ms="10" overload="panic"><features cycles="10"/></pipeline>'], True),
            ("npu=\"maybe\"", [b'<pipeline name="a" period_ms="10" npu="maybe"><features cycles="10"/></pipeline>'], True),
            ("unknown element <sensor>", [feat, b'<sensor name="x"/>'], True),
            ("unknown attribute colour", [b'<pipeline name="a" period_ms="10" colour="red"><features cycles="10"/></pipeline>'], True),
            ("no pipelines", [], False),
            ("period 1 us and cycles 1e9 (overload)", [b'<pipeline name="a" period_ms="0.001"><features steps="64" cycles="1000000000"/></pipeline>'], False),
        ]
        for desc, pipes, must_fail in specials:
            add(write("special", scen(pipes)), desc, must_fail)
        add(write("hugedur", scen([feat], head=b'<scenario name="t" duration_s="99999999999999999999">')),
            "duration_s=99999999999999999999")
        for desc, data, must_fail in self.generic_xml_junk(b"scenario", bases[0][1]):
            add(write("junk", data), desc, must_fail)
        for desc, path in self.nonfiles("scenario_nf2"):
            add(path, "scenario file is a " + desc, must_fail=True)
        return cases

    # ---- class 3: models -----------------------------------------------------------
    def input_bytes(self, model_path):
        try:
            out = subprocess.run([self.cli, "info", model_path, "--json"], stdout=subprocess.PIPE,
                                 stderr=subprocess.DEVNULL, timeout=self.args.timeout, check=True).stdout
            info = json.loads(out)
            return sum(info["tensors"][i]["bytes"] for i in info["inputs"])
        except Exception:  # a broken CLI is reported by the cases themselves
            return None

    def model_cases(self):
        rng = self.rng
        cases = []
        out_path = os.path.join(self.tmp, "model_out.bin")
        commands = ["info", "plan", "infer"]
        inputs = {}

        def add(cmd, path, desc, must_fail=False, input_path=None, output=None, paths=None):
            if cmd == "infer":
                ip = input_path or inputs.get("default")
                argv = [self.cli, "infer", "--model", path, "--input", ip, "--output", output or out_path]
            else:
                argv = [self.cli, cmd, path]
            cases.append(Case("model", argv, paths or [path], "%s (%s)" % (desc, cmd), must_fail=must_fail))

        names = ["hello_world_int8", "kws_ref_model", "micro_speech_quantized"]
        k = 0
        for name in names:
            orig = self.model(name)
            base = open(orig, "rb").read()
            size = self.input_bytes(orig)
            size = 1 if size is None else size
            ip = self.write("model_inputs", name + "_input", bytes(rng.randrange(256) for _ in range(size)), ".bin")
            inputs[name] = ip
            inputs.setdefault("default", ip)
            muts = []
            for cut in (4, rng.randrange(8, len(base) // 2), rng.randrange(len(base) // 2, len(base) - 1), len(base) - 1):
                muts.append(("%s truncated to %d of %d bytes" % (name, cut, len(base)), base[:cut], cut < 8))
            for flips in (1, 8, 64):
                data = bytearray(base)
                where = []
                for _ in range(flips):
                    i = rng.randrange(len(data))
                    bit = 1 << rng.randrange(8)
                    data[i] ^= bit
                    where.append("%d^0x%02x" % (i, bit))
                muts.append(("%s with %d bit flip(s) at %s" % (name, flips, ",".join(where[:8]) + ("..." if flips > 8 else "")),
                             bytes(data), False))
            muts.append(("%s with its first 64 bytes zeroed" % name, b"\0" * 64 + base[64:], True))
            muts.append(("%s with root offset 0xFFFFFFFF" % name, b"\xff\xff\xff\xff" + base[4:], True))
            muts.append(("%s with 4 KiB of random bytes appended" % name, base + bytes(rng.randrange(256) for _ in range(4096)), False))
            for desc, data, must_fail in muts:
                path = self.write("model", name, data, ".tflite")
                cmd = commands[k % 3]
                k += 1
                add(cmd, path, desc, must_fail, input_path=ip)
        # whole-file junk: every command
        empty = self.write("model", "empty", b"", ".tflite")
        text = self.write("model", "text", b"This is not a model.\n" * 20, ".tflite")
        sparse = os.path.join(self.tmp, "model", "sparse_70MB.tflite")
        with open(sparse, "wb") as f:
            f.truncate(70 * 1024 * 1024)
        specials = [("empty file", empty), ("text file", text), ("70 MB sparse file of zeros (over the 64 MiB limit)", sparse)]
        for cmd in commands:
            for desc, path in specials + self.nonfiles("model_nf"):
                add(cmd, path, "model: " + desc, must_fail=True)
        # infer: wrong input files (hello_world takes 1 byte, kws_ref_model 490)
        kws = self.model("kws_ref_model")
        kws_in = inputs.get("kws_ref_model")
        ksize = os.path.getsize(kws_in) if kws_in else 490
        wrong = [("empty input", b""), ("input one byte short", b"\x01" * (ksize - 1)),
                 ("input one byte long", b"\x01" * (ksize + 1)), ("2 MiB input", b"\x02" * (2 * 1024 * 1024))]
        for desc, data in wrong:
            ip = self.write("model_inputs", "wrong", data, ".bin")
            add("infer", kws, "kws_ref_model, " + desc, must_fail=True, input_path=ip, paths=[ip])
        for desc, path in self.nonfiles("infer_in_nf"):
            add("infer", kws, "kws_ref_model, input is a " + desc, must_fail=True, input_path=path, paths=[path])
        for desc, path in self.nonfiles("infer_out_nf"):
            if path == "/dev/zero":
                continue  # writing to /dev/zero succeeds
            add("infer", kws, "kws_ref_model, output is a " + desc + (" nobody reads" if desc == "FIFO" else ""),
                must_fail=True, input_path=kws_in, output=path, paths=[path])
        add("infer", kws, "kws_ref_model, output is /dev/full", must_fail=True, input_path=kws_in,
            output="/dev/full", paths=["/dev/full"])
        return cases

    # ---- class 4: WAV --------------------------------------------------------------
    def wav_cases(self):
        import struct
        cases = []
        base = open(os.path.join(self.shared, "data", "yes_1000ms.wav"), "rb").read()
        assert base[:4] == b"RIFF" and base[12:16] == b"fmt " and base[36:40] == b"data"

        def patch(offset, fmt, value):
            b = bytearray(base)
            struct.pack_into(fmt, b, offset, value)
            return bytes(b)

        def add(path, desc, must_fail=False):
            cases.append(Case("wav", [self.cli, "listen", path], [path], desc, must_fail=must_fail))

        muts = [
            ("RIFF id 'RIFX'", b"RIFX" + base[4:], True),
            ("RIFF size 0", patch(4, "<I", 0), False),
            ("RIFF size 0xFFFFFFFF", patch(4, "<I", 0xFFFFFFFF), False),
            ("form type 'WAVX'", base[:8] + b"WAVX" + base[12:], True),
            ("fmt chunk id 'fmt_'", base[:12] + b"fmt_" + base[16:], True),
            ("fmt chunk size 0", patch(16, "<I", 0), True),
            ("fmt chunk size 0xFFFFFFFF", patch(16, "<I", 0xFFFFFFFF), True),
            ("fmt chunk size 15", patch(16, "<I", 15), True),
            ("format tag 3 (float)", patch(20, "<H", 3), True),
            ("format tag 0", patch(20, "<H", 0), True),
            ("format tag 0xFFFE (extensible)", patch(20, "<H", 0xFFFE), False),
            ("channels 0", patch(22, "<H", 0), True),
            ("channels 2", patch(22, "<H", 2), False),
            ("channels 0xFFFF", patch(22, "<H", 0xFFFF), True),
            ("sample rate 0", patch(24, "<I", 0), True),
            ("sample rate 0xFFFFFFFF", patch(24, "<I", 0xFFFFFFFF), True),
            ("byte rate 0", patch(28, "<I", 0), False),
            ("block align 0", patch(32, "<H", 0), False),
            ("bits per sample 0", patch(34, "<H", 0), True),
            ("bits per sample 0xFFFF", patch(34, "<H", 0xFFFF), True),
            ("data chunk id 'dat\\0'", base[:36] + b"dat\0" + base[40:], True),
            ("data size 0", patch(40, "<I", 0), True),
            ("data size 0xFFFFFFFF (bigger than the file)", patch(40, "<I", 0xFFFFFFFF), False),
            ("data size 1 MB (bigger than the file)", patch(40, "<I", 1000000), False),
            ("data size odd (31999)", patch(40, "<I", 31999), False),
            ("LIST chunk of size 0xFFFFFFF0 before data", base[:36] + b"LIST" + struct.pack("<I", 0xFFFFFFF0) + base[36:], True),
            ("truncated to 12 bytes", base[:12], True),
            ("truncated to 40 bytes (inside the data header)", base[:40], True),
            ("header only (44 bytes)", base[:44], True),
            ("truncated to 1000 bytes", base[:1000], False),
            ("empty file", b"", True),
            ("4 KiB of random bytes", bytes(self.rng.randrange(256) for _ in range(4096)), True),
        ]
        for desc, data, must_fail in muts:
            add(self.write("wav", "yes", data, ".wav"), "yes_1000ms.wav: " + desc, must_fail)
        d_empty = os.path.join(self.tmp, "wav_dirs", "empty_dir")
        os.makedirs(d_empty)
        add(d_empty, "an empty directory", True)
        d_txt = os.path.join(self.tmp, "wav_dirs", "txt_only")
        os.makedirs(d_txt)
        with open(os.path.join(d_txt, "notes.txt"), "w") as f:
            f.write("not audio\n")
        add(d_txt, "a directory holding only notes.txt", True)
        d_bad = os.path.join(self.tmp, "wav_dirs", "broken_wav")
        os.makedirs(d_bad)
        with open(os.path.join(d_bad, "broken.wav"), "wb") as f:
            f.write(base[:30])
        add(d_bad, "a directory holding broken.wav (30 bytes)", True)
        for desc, path in self.nonfiles("wav_nf"):
            if desc == "directory":
                continue  # covered above
            add(path, "WAV file is a " + desc, True)
        return cases

    # ---- class 5: embed ------------------------------------------------------------
    def embed_cases(self):
        cases = []
        hello = self.model("hello_world_int8")
        out = os.path.join(self.tmp, "embed_out.cpp")

        def add(argv, paths, desc, must_fail=False):
            cases.append(Case("embed", [self.cli, "embed"] + argv, paths, desc, must_fail=must_fail))

        for name in IDENT_NAMES:
            add([hello, "--name", name, "--out", out], [hello, out], "--name %r" % name,
                must_fail=name not in ("main", "std", "ORIGIN"))
        nf = dict(self.nonfiles("embed_nf"))
        add([hello, "--name", "ok", "--out", nf["directory"]], [nf["directory"]], "--out is a directory", True)
        add([hello, "--name", "ok", "--out", nf["FIFO"]], [nf["FIFO"]], "--out is a FIFO nobody reads", True)
        nf["FIFO"] = self.fifo("embed_nf")
        add([hello, "--name", "ok", "--out", nf["nonexistent path"]], [nf["nonexistent path"]],
            "--out in a missing directory", True)
        add([hello, "--name", "ok", "--out", "/dev/full"], ["/dev/full"], "--out is /dev/full", True)
        add([hello, "--name", "ok", "--out", out, "--header", nf["FIFO"]], [nf["FIFO"]],
            "--header is a FIFO nobody reads", True)
        nf["FIFO"] = self.fifo("embed_nf")
        trunc = self.write("embed", "trunc", open(hello, "rb").read()[:100], ".tflite")
        add([trunc, "--name", "ok", "--out", out], [trunc], "model truncated to 100 bytes", True)
        add([nf["FIFO"], "--name", "ok", "--out", out], [nf["FIFO"]], "model is a FIFO", True)
        return cases


# ---- running and checking -------------------------------------------------------------
def rss_bytes(pid):
    try:
        with open("/proc/%d/statm" % pid) as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def run_case(case, timeout, max_rss):
    """(exit code | "timeout" | "memory" | "error", stderr bytes, seconds). The child runs in
    its own session and is killed (with anything it started) on timeout or when its resident
    memory passes max_rss (a CLI that reads /dev/zero would otherwise eat the machine)."""
    started = time.monotonic()
    try:
        proc = subprocess.Popen(case.argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, start_new_session=True)
    except OSError as e:
        return ("error", str(e).encode(), 0.0)
    step = 0.02
    while True:
        try:
            _, err = proc.communicate(timeout=step)
            rc = proc.returncode
            break
        except subprocess.TimeoutExpired:
            step = min(step * 2, 0.2)
            over_time = time.monotonic() - started > timeout
            over_memory = rss_bytes(proc.pid) > max_rss
            if over_time or over_memory:
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                _, err = proc.communicate()
                rc = "timeout" if over_time else "memory"
                break
    return (rc, err or b"", time.monotonic() - started)


def check(case):
    rc, err, _ = case.result
    problems = []
    if rc == "timeout":
        problems.append("timed out (no exit within the timeout)")
    elif rc == "memory":
        problems.append("killed: resident memory over the --max-rss-mb limit")
    elif rc == "error":
        problems.append("could not start the CLI")
    elif rc < 0:
        try:
            name = signal.Signals(-rc).name
        except ValueError:
            name = "signal %d" % -rc
        problems.append("killed by %s" % name)
    elif rc not in case.allowed:
        problems.append("exit code %d (allowed: %s)" % (rc, ", ".join(map(str, sorted(case.allowed)))))
    elif rc == 0 and case.must_fail:
        problems.append("exit 0 on an input that is invalid by construction")
    for marker in SANITIZER_MARKERS:
        if marker in err:
            problems.append("sanitizer report (%s)" % marker.decode())
    lines = err.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    if len(lines) > MAX_STDERR_LINES:
        problems.append("stderr has %d lines (at most %d)" % (len(lines), MAX_STDERR_LINES))
    longest = max((len(l) for l in lines), default=0)
    if longest > MAX_STDERR_LINE_BYTES:
        problems.append("stderr line of %d bytes (at most %d)" % (longest, MAX_STDERR_LINE_BYTES))
    ctrl = sorted({c for c in err if (c < 0x20 and c != 0x0A) or c == 0x7F})
    if ctrl:
        problems.append("raw control character(s) in stderr: %s" % ", ".join("0x%02x" % c for c in ctrl))
    if rc == 1 and case.paths:
        named = False
        for p in case.paths:
            pb = os.fsencode(p)
            base = os.path.basename(pb.rstrip(b"/"))
            if pb in err or (len(base) >= 3 and base in err):
                named = True
                break
        if not named:
            problems.append("exit 1 but stderr names none of: %s" % ", ".join(case.paths))
    return problems


def show_cmd(argv):
    parts = []
    for a in argv:
        if a.isprintable():
            parts.append(shlex.quote(a))
        else:
            parts.append("$" + repr(a))
    return " ".join(parts)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cli", required=True, help="the chorus executable")
    ap.add_argument("--shared", required=True, help="the shared data directory (models/, data/)")
    ap.add_argument("--source", required=True, help="the Chorus source tree")
    ap.add_argument("--timeout", type=float, default=10.0, help="seconds per invocation (default 10)")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed (default %d)" % DEFAULT_SEED)
    ap.add_argument("--jobs", type=int, default=4,
                    help="invocations in parallel (default 4: most are a few ms, and a hung one only waits)")
    ap.add_argument("--max-rss-mb", type=int, default=2048,
                    help="kill an invocation whose resident memory passes this (default 2048)")
    ap.add_argument("--sim-board", help="board for the scenario class (default "
                    "SOURCE/dts/boards/mps3_an547.xml)")
    ap.add_argument("--keep", action="store_true", help="keep the generated inputs and print where")
    ap.add_argument("-v", "--verbose", action="store_true", help="print every case")
    args = ap.parse_args()
    args.cli = os.path.abspath(args.cli)
    args.shared = os.path.abspath(args.shared)
    args.source = os.path.abspath(args.source)
    args.sim_board = os.path.abspath(args.sim_board or os.path.join(args.source, "dts", "boards", "mps3_an547.xml"))
    if not os.access(args.cli, os.X_OK):
        print("hostile_inputs: %s is not an executable" % args.cli, file=sys.stderr)
        return 2

    started = time.monotonic()
    tmp = tempfile.mkdtemp(prefix="chorus_hostile_")
    try:
        gen = Generator(args, tmp)
        classes = collections.OrderedDict()
        classes["board"] = gen.board_cases()
        classes["scenario"] = gen.scenario_cases()
        classes["model"] = gen.model_cases()
        classes["wav"] = gen.wav_cases()
        classes["embed"] = gen.embed_cases()
        all_cases = [c for cs in classes.values() for c in cs]
        baseline = gen.baseline_cases()
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            results = pool.map(lambda c: run_case(c, args.timeout, args.max_rss_mb << 20), baseline + all_cases)
            for case, result in zip(baseline + all_cases, results):
                case.result = result

        # The unmutated inputs should be accepted; when one is not, the mutations of its class
        # mostly exercise that one refusal (say so: it is not a violation of the contract).
        for case in baseline:
            rc, err, _ = case.result
            if rc not in case.allowed:
                print("note: baseline %s refused (exit %s): %s -> %s" % (
                    case.cls, rc, show_cmd(case.argv), repr(err[:200])))

        total_violations = 0
        summaries = []
        for cls, cs in classes.items():
            counts = collections.Counter()
            violations = 0
            for case in cs:
                rc, err, secs = case.result
                if rc in ("timeout", "memory"):
                    counts[rc] += 1
                elif rc == "error":
                    counts["not started"] += 1
                elif rc < 0:
                    counts["signal %d" % -rc] += 1
                else:
                    counts[str(rc)] += 1
                problems = check(case)
                if args.verbose:
                    print("[%s] rc=%s %.2fs %s -- %s\n    stderr: %s" % (
                        cls, rc, secs, case.desc, show_cmd(case.argv), repr(err[:200])))
                if problems:
                    violations += 1
                    print("VIOLATION [%s] %s | %s | input: %s | stderr: %s" % (
                        cls, show_cmd(case.argv), "; ".join(problems), case.desc, repr(err[:200])))
            total_violations += violations
            summaries.append("%s: %d cases, %d violations (exit codes: %s)" % (
                cls, len(cs), violations,
                ", ".join("%s x %d" % (k, v) for k, v in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))))
        for line in summaries:
            print(line)
        print("runtime: %.1f s for %s" % (time.monotonic() - started, args.cli))
        print("hostile inputs: %d cases, %d violations" % (len(all_cases), total_violations))
        return 0 if total_violations == 0 else 1
    finally:
        if args.keep:
            print("inputs kept in %s" % tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
