"""The corpus of hostile inputs (issue 12): scenario files, `extends` targets, sweep specs, --set values and
command-line arguments, each with the words its refusal must contain.

Files are generated here rather than committed (binary, UTF-16, megabyte and deeply nested files). Every
case must end in exit 2, a message naming the file or option and the key and giving the allowed values,
no traceback and nothing written; `tests/test_hostile_inputs.py` runs them.
"""

from __future__ import annotations

BASE = 'extends = "baseline"\nname = "hostile"\n'


def scenario(extra: str, encoding: str = "utf-8") -> bytes:
    """A scenario extending the baseline with `extra` TOML appended."""
    return (BASE + extra).encode(encoding)


def deep(open_: str, close: str, n: int, inner: str = "1") -> str:
    return open_ * n + inner + close * n


# --------------------------------------------------------------------------- scenario files
# id -> (file bytes, fragments the message must contain besides the file's path and "allowed")

DECODE = {
    "binary_random": (bytes(range(256)) * 4, "UTF-8"),
    "binary_png": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64), "UTF-8"),
    "binary_gzip": (b"\x1f\x8b\x08\x00" + bytes(range(200, 256)), "UTF-8"),
    "binary_elf": (b"\x7fELF\x02\x01\x01" + bytes(100), "TOML"),
    "binary_zip": (b"PK\x03\x04\x14\x00\x00\x00\x08\x00\xff\xfe", "UTF-8"),
    "utf16_le_bom": (b"\xff\xfe" + (BASE + "[rent_subsidy]\nmonths = 12\n").encode("utf-16-le"), "UTF-16"),
    "utf16_be_bom": (b"\xfe\xff" + (BASE + "[rent_subsidy]\nmonths = 12\n").encode("utf-16-be"), "UTF-16"),
    "utf16_le_no_bom": ((BASE + "[rent_subsidy]\nmonths = 12\n").encode("utf-16-le"), "UTF-16"),
    "utf32": ((BASE).encode("utf-32"), "UTF-16"),
    "latin1_comment": (scenario("# Straße, café, Qostanaý\n", "latin-1"), "UTF-8"),
    "latin1_description": (scenario('description = "Réinstallation à Pavlodar"\n', "latin-1"), "UTF-8"),
    "cp1251_comment": (scenario("# Северо-Казахстанская область\n", "cp1251"), "UTF-8"),
    "lone_continuation_byte": (scenario("# x \x80 y\n", "latin-1"), "UTF-8"),
    "truncated_multibyte": (scenario("# ok\n") + b"# \xe2\x82", "UTF-8"),
    "overlong_slash": (scenario("") + b"# \xc0\xaf\n", "UTF-8"),
    "utf8_surrogate": (scenario("") + b"# \xed\xa0\x80\n", "UTF-8"),
    "nul_in_text": (scenario("# a\x00b\n"), "TOML"),
    "del_in_string": (scenario('description = "a\x7fb"\n'), "TOML"),
    "form_feed": (scenario("\x0c\n"), "TOML"),
    "bom_only": (b"\xef\xbb\xbf", "name"),
    "empty_file": (b"", "name"),
}

DEPTH = {
    "array_depth_12": (scenario("[rent_subsidy]\nmonths = " + deep("[", "]", 12) + "\n"), "rent_subsidy.months"),
    "array_depth_900": (scenario("[rent_subsidy]\nmonths = " + deep("[", "]", 900) + "\n"), "nested"),
    "array_depth_2000": (scenario("[rent_subsidy]\nmonths = " + deep("[", "]", 2000) + "\n"), "nested"),
    "array_depth_100000": (scenario("[rent_subsidy]\nmonths = " + deep("[", "]", 100_000) + "\n"), "nested"),
    "inline_table_depth_12": (scenario("x = " + deep("{a = ", "}", 12) + "\n"), "nested"),
    "inline_table_depth_2000": (scenario("x = " + deep("{a = ", "}", 2000) + "\n"), "nested"),
    "mixed_depth_2000": (scenario("x = " + deep("[{a = ", "}]", 1000) + "\n"), "nested"),
    "dotted_key_12": (scenario(".".join(["a"] * 12) + " = 1\n"), "nested"),
    "dotted_key_3000": (scenario(".".join(["a"] * 3000) + " = 1\n"), "nested"),
    "header_12": (scenario("[" + ".".join(["a"] * 12) + "]\nx = 1\n"), "nested"),
    "header_3000": (scenario("[" + ".".join(["a"] * 3000) + "]\nx = 1\n"), "nested"),
    "array_table_header_3000": (scenario("[[" + ".".join(["a"] * 3000) + "]]\nx = 1\n"), "nested"),
    "schema_section_depth_12": (scenario("[quotas.north_kazakhstan." + ".".join(["y"] * 10) + "]\nx = 1\n"), "nested"),
    "unclosed_arrays_50000": (scenario("x = " + "[" * 50_000 + "\n"), "TOML|nested"),
    "unclosed_tables_50000": (scenario("x = " + "{a = " * 50_000 + "\n"), "TOML|nested"),
}

HUGE = 10**400
MAGNITUDE = {
    "int_20_digits": (scenario("[rent_subsidy]\nmonths = 100000000000000000000\n"), "rent_subsidy.months"),
    "int_2_pow_63": (scenario("[rent_subsidy]\nmonths = 9223372036854775808\n"), "rent_subsidy.months"),
    "int_minus_2_pow_63_minus_1": (scenario("[rent_subsidy]\nmonths = -9223372036854775809\n"), "rent_subsidy.months"),
    "int_300_digits": (scenario(f"[rent_subsidy]\nmonths = {10**299}\n"), "rent_subsidy.months"),
    "int_400_digits_negative": (scenario(f"[rent_subsidy]\nmonths = -{HUGE}\n"), "rent_subsidy.months"),
    "int_1000_digits": (scenario("[rent_subsidy]\nmonths = " + "9" * 1000 + "\n"), "rent_subsidy.months"),
    "int_4300_digits": (scenario("[rent_subsidy]\nmonths = " + "1" * 4300 + "\n"), "rent_subsidy.months"),
    "int_4301_digits": (scenario("[rent_subsidy]\nmonths = " + "1" * 4301 + "\n"), "number too large"),
    "int_100000_digits": (scenario("[rent_subsidy]\nmonths = " + "7" * 100_000 + "\n"), "number too large"),
    "hex_5000_digits": (scenario("[rent_subsidy]\nmonths = 0x" + "f" * 5000 + "\n"), "rent_subsidy.months"),
    "octal_huge": (scenario("[rent_subsidy]\nmonths = 0o" + "7" * 500 + "\n"), "rent_subsidy.months"),
    "binary_70_bits": (scenario("[rent_subsidy]\nmonths = 0b1" + "0" * 70 + "\n"), "rent_subsidy.months"),
    "float_1e309": (scenario("[rent_subsidy]\nmonths = 1e309\n"), "rent_subsidy.months"),
    "float_minus_1e309": (scenario("[rent_subsidy]\nmonths = -1e309\n"), "rent_subsidy.months"),
    "float_inf": (scenario("[rent_subsidy]\nmonths = inf\n"), "rent_subsidy.months"),
    "float_minus_inf": (scenario("[rent_subsidy]\nmonths = -inf\n"), "rent_subsidy.months"),
    "float_nan": (scenario("[rent_subsidy]\nmonths = nan\n"), "rent_subsidy.months"),
    "float_plus_nan": (scenario("[rent_subsidy]\nmonths = +nan\n"), "rent_subsidy.months"),
    "scale_inf": (scenario("[population]\nscale = inf\n"), "population.scale"),
    "scale_nan": (scenario("[population]\nscale = nan\n"), "population.scale"),
    "scale_huge_int": (scenario(f"[population]\nscale = {HUGE}\n"), "population.scale"),
    "scale_zero": (scenario("[population]\nscale = 0\n"), "population.scale"),
    "scale_negative": (scenario("[population]\nscale = -0.5\n"), "population.scale"),
    "scale_above_one": (scenario("[population]\nscale = 2.0\n"), "population.scale"),
    "scale_below_bound": (scenario("[population]\nscale = 1e-6\n"), "population.scale"),
    "scale_text": (scenario('[population]\nscale = "0.1"\n'), "population.scale"),
    "schedule_value_huge": (scenario(f"[mci_tenge]\n2020 = {HUGE}\n"), "mci_tenge.2020"),
    "schedule_value_nan": (scenario("[mci_tenge]\n2020 = nan\n"), "mci_tenge.2020"),
    "quota_huge": (scenario(f"[quotas]\nakmola = {{ 2014 = {HUGE} }}\n"), "quotas.akmola"),
    "probability_nan": (scenario("[delays.moving]\nless_than_month = nan\n1_3_months = 0.5\n"), "delays.moving"),
    "behaviour_huge": (scenario(f"[behaviour]\ndecide_base = -{HUGE}\n"), "behaviour.decide_base"),
    "behaviour_inf": (scenario("[behaviour]\njob_rate_matched = inf\n"), "behaviour.job_rate_matched"),
    "start_year_huge": (scenario(f"[time]\nstart_year = {HUGE}\n"), "time.start_year"),
    "end_year_1e400": (scenario("[time]\nend_year = 1e400\n"), "time.end_year"),
    "unknown_key_huge_int": (scenario(f"mystery = {HUGE}\n"), "mystery"),
}

# Year keys of a schedule: plain ASCII years only, so no two spellings can both name one step.
BAD_YEARS = {
    "arabic_indic": "٢٠٢٠", "extended_arabic_indic": "۲۰۲۰", "devanagari": "२०२०", "bengali": "২০২০",
    "thai": "๒๐๒๐", "fullwidth": "２０２０", "superscript": "²⁰²⁰", "subscript": "₂₀₂₀",
    "math_bold": "𝟐𝟎𝟐𝟎", "leading_zero": "02020", "plus_sign": "+2020", "decimal": "2020.0",
    "leading_space": " 2020", "trailing_space": "2020 ", "exponent": "2e3", "underscore": "2_020",
    "hex": "0x7E4", "inner_space": "20 20", "empty": "", "zero_width_space": "2020\u200b",
    "five_digits": "20200", "before_range": "1989", "after_range": "2101", "minus": "-2020",
}
YEARS = {f"year_{k}": (scenario(f'[mci_tenge]\n"{y}" = 3000\n'), "mci_tenge") for k, y in BAD_YEARS.items()}
YEARS["year_duplicate_after_normalising"] = (scenario('[mci_tenge]\n2020 = 2778\n"02020" = 9999\n'), "mci_tenge.02020")
YEARS["year_duplicate_arabic"] = (scenario('[quotas.pavlodar]\n2017 = 1591\n"٢٠١٧" = 1\n'), "quotas.pavlodar")
YEARS["year_toml_duplicate"] = (scenario('[mci_tenge]\n2020 = 1\n"2020" = 2\n'), "TOML")

NAMES = {
    "name_nul": (scenario('name = "a\\u0000b"\n').replace(b'name = "hostile"\n', b""), "name"),
    "name_101_chars": (scenario(f'name = "{"n" * 101}"\n').replace(b'name = "hostile"\n', b""), "name"),
    "name_500000_chars": (scenario(f'name = "{"n" * 500_000}"\n').replace(b'name = "hostile"\n', b""), "name"),
    "name_parent_path": (BASE.replace("hostile", "../../../../tmp/x").encode(), "name"),
    "name_absolute_path": (BASE.replace("hostile", "/tmp/x").encode(), "name"),
    "name_backslash": (BASE.replace("hostile", "a\\\\b").encode(), "name"),
    "name_dotdot": (BASE.replace("hostile", "..").encode(), "name"),
    "name_dot": (BASE.replace("hostile", ".").encode(), "name"),
    "name_empty": (BASE.replace("hostile", "").encode(), "name"),
    "name_newline": (BASE.replace("hostile", "a\\nb").encode(), "name"),
    "name_escape": (BASE.replace("hostile", "a\\u001b[31mb").encode(), "name"),
    "name_integer": (BASE.replace('"hostile"', "5").encode(), "name"),
    "description_nul": (scenario('description = "x\\u0000y"\n'), "description"),
    "key_nul": (scenario('"a\\u0000b" = 1\n'), "a\\x00b"),
    "key_200_chars": (scenario(f'"{"k" * 200}" = 1\n'), "key"),
    "internal_key_before": (scenario("[_before.time]\nstart_year = 2014\n"), "_before"),
}

EXTENDS = {
    "extends_integer": (BASE.replace('"baseline"', "5").encode(), "extends"),
    "extends_array": (BASE.replace('"baseline"', '["baseline"]').encode(), "extends"),
    "extends_empty": (BASE.replace('"baseline"', '""').encode(), "extends"),
    "extends_nul": (BASE.replace('"baseline"', '"base\\u0000line.toml"').encode(), "extends"),
    "extends_5000_chars": (BASE.replace('"baseline"', f'"{"x" * 5000}.toml"').encode(), "extends"),
    "extends_missing": (BASE.replace('"baseline"', '"no_such_scenario"').encode(), "extends"),
    "extends_self": (BASE.replace('"baseline"', '"s.toml"').encode(), "cycle"),
    "extends_etc_passwd": (BASE.replace('"baseline"', '"/etc/passwd"').encode(), "extends"),
}

TOO_LARGE = {
    "file_1000001_bytes": (scenario("#" * 1_000_001 + "\n"), "1,000,000 bytes"),
    "file_5_megabytes": (scenario(("# " + "x" * 98 + "\n") * 50_000), "1,000,000 bytes"),
}

FILES = {**DECODE, **DEPTH, **MAGNITUDE, **YEARS, **NAMES, **EXTENDS, **TOO_LARGE}
# files whose defect is in the content itself, reused as the target of another file's `extends`
EXTENDS_TARGETS = {k: FILES[k] for k in (*DECODE, *DEPTH, "int_4301_digits", "float_nan", "year_arabic_indic",
                                         "key_nul", *TOO_LARGE) if k not in ("bom_only", "empty_file")}

# --------------------------------------------------------------------------- --set values
# (--set text, fragment); run as `validate baseline --set TEXT` and `run --set TEXT`
SETS = [
    ("noequals", "KEY=VALUE"), ("=", "key"), ("=5", "key"), (".=1", "key"), ("a..b=1", "a..b"), (".a=1", ".a"),
    ("a.=1", "a."), ("rent_subsidy.months=", "rent_subsidy.months"), ("rent_subsidy..months=1", "rent_subsidy..months"),
    ("rent_subsidy.months=" + "[" * 2000 + "1" + "]" * 2000, "nested"),
    ("rent_subsidy.months=" + "[" * 9 + "1" + "]" * 9, "rent_subsidy.months"),
    ("rent_subsidy.months=" + "{a=" * 2000 + "1" + "}" * 2000, "nested"),
    ("rent_subsidy.months=" + "1" * 5000, "rent_subsidy.months"), ("rent_subsidy.months=" + "1" * 400, "rent_subsidy.months"),
    ("rent_subsidy.months=0x" + "f" * 5000, "rent_subsidy.months"),
    ("rent_subsidy.months=1e999", "rent_subsidy.months"), ("rent_subsidy.months=nan", "rent_subsidy.months"),
    ("rent_subsidy.months=inf", "rent_subsidy.months"), ("rent_subsidy.months=-inf", "rent_subsidy.months"),
    ("rent_subsidy.months=true", "rent_subsidy.months"), ("rent_subsidy.months=12.5", "rent_subsidy.months"),
    ("rent_subsidy.months=[12]", "rent_subsidy.months"), ("rent_subsidy.months={a=1}", "rent_subsidy.months"),
    ("rent_subsidy.months=1\nextends='women_package'", "one"), ("rent_subsidy.months=1\nname='x'", "one"),
    ("population.scale=inf", "population.scale"), ("population.scale=nan", "population.scale"),
    ("population.scale=0", "population.scale"), ("population.scale=1e-400", "population.scale"),
    ("population.scale=1.5", "population.scale"), ("population.scale=" + "9" * 400, "population.scale"),
    ("extends=women_package", "extends"), ("extends=baseline", "extends"), ("extends.x=1", "extends"),
    ("extends=/etc/passwd", "extends"), ("extends=", "extends"), (" extends =women_package", "extends"),
    ("_before.time.start_year=1", "_before"), ("rent_subsidy.months.x=1", "rent_subsidy.months"),
    ("rent_subsidy=5", "rent_subsidy"), ("a b=1", "a b"), ("rent_subsidy.mönths=1", "rent_subsidy.m"),
    ("rent_subsidy.months\x00=1", "rent_subsidy.months"), ("k" * 200 + "=1", "key"),
    (".".join(["a"] * 20) + "=1", "key"), ("x" * 20_000 + "=1", "10,000"),
    ("mci_tenge.٢٠٢٠=3000", "mci_tenge"), ("mci_tenge.02020=3000", "mci_tenge.02020"),
    ("mci_tenge.²⁰²⁰=3000", "mci_tenge"), ("mci_tenge.２０２０=3000", "mci_tenge"),
    ("quotas.pavlodar.٢٠١٧=1", "quotas.pavlodar"), ("quotas.pavlodar.02017=1", "quotas.pavlodar.02017"),
    ("time.start_year=2014.5", "time.start_year"), ("time.end_year=1e400", "time.end_year"),
    ("repayment.rule=none; rm -rf /", "repayment.rule"), ("name=../../../../tmp/x", "name"), ("name=/tmp/x", "name"),
    ("name=..", "name"), ("name=" + "n" * 101, "name"), ("name=a\x00b", "name"), ("name=a\x1bb", "name"),
    ("behaviour.decide_base=-" + "9" * 500, "behaviour.decide_base"), ("behaviour.nonexistent=1", "behaviour.nonexistent"),
    ("delays.moving.less_than_month=nan", "delays.moving"), ("description=a\x00b", "description"),
]

# --------------------------------------------------------------------------- command-line arguments
# (argv, fragment); scenario arguments and options of run and validate
ARGS = [
    (["run", "--seed", "-1"], "--seed"), (["run", "--seed", str(2**63)], "--seed"), (["run", "--seed", str(2**70)], "--seed"),
    (["run", "--seed", "1e3"], "--seed"), (["run", "--seed", "0x10"], "--seed"), (["run", "--seed", "١٢"], "--seed"),
    (["run", "--seed", ""], "--seed"), (["run", "--seed", "1_000"], "--seed"), (["run", "--seed", "3.0"], "--seed"),
    (["run", "--seed", "+5"], "--seed"), (["run", "--seed", "9" * 5000], "--seed"), (["run", "--seed", "nan"], "--seed"),
    (["run", "--replicates", "0"], "--replicates"), (["run", "--replicates", "-1"], "--replicates"),
    (["run", "--replicates", "1000000000"], "--replicates"), (["run", "--replicates", "1001"], "--replicates"),
    (["run", "--replicates", "1.5"], "--replicates"), (["run", "--replicates", "abc"], "--replicates"),
    (["run", "--replicates", "١"], "--replicates"), (["run", "--replicates", "9" * 5000], "--replicates"),
    (["run", "--scale", "0"], "--scale"), (["run", "--scale", "-1"], "--scale"), (["run", "--scale", "2"], "--scale"),
    (["run", "--scale", "inf"], "--scale"), (["run", "--scale", "nan"], "--scale"), (["run", "--scale", "1e-6"], "--scale"),
    (["run", "--scale", "abc"], "--scale"), (["run", "--scale", ""], "--scale"), (["run", "--scale", "1e999"], "--scale"),
    (["run", "--parameters", "bogus"], "--parameters"),
    (["run", "baseline\x00"], "scenario"), (["run", "b" * 1_000_000], "scenario"), (["run", ""], "scenario"),
    (["run", "\n"], "scenario"), (["run", "no_such_scenario"], "no_such_scenario"), (["run", "/dev/null"], "/dev/null"),
    (["run", "../../../../etc/passwd.toml"], "passwd"), (["validate", "baseline\x00"], "scenario"),
    (["validate", "v" * 1_000_000], "scenario"), (["validate", "/dev/zero"], "/dev/zero"),
]

# --------------------------------------------------------------------------- argparse types for the other commands
# (type name in sim.cli.arguments, text); each must raise ArgumentTypeError whose message says "allowed"
TYPES = [
    ("seed", "-1"), ("seed", str(2**63)), ("seed", str(2**70)), ("seed", "1e3"), ("seed", "٣"),
    ("replicates", "0"), ("replicates", "1000000000"), ("positive_int", "0"), ("positive_int", "-3"),
    ("positive_int", "10000000"), ("positive_int", "two"), ("scale", "inf"), ("scale", "0"),
    ("scheduler_address", ""), ("scheduler_address", "tcp://"), ("scheduler_address", "tcp://host"),
    ("scheduler_address", "tcp://host:0"), ("scheduler_address", "tcp://host:65536"),
    ("scheduler_address", "tcp://host:abc"), ("scheduler_address", "http://host:8786"),
    ("scheduler_address", "host:8786"), ("scheduler_address", "tcp://:8786"),
    ("scheduler_address", "tcp://host:8786/path"), ("scheduler_address", "tcp://user@host:8786"),
    ("scheduler_address", "tcp://host:8786?x=1"), ("scheduler_address", "tcp://[::1:8786"),
    ("scheduler_address", "tcp://ho st:8786"), ("scheduler_address", "tcp://host:-1"),
    ("scheduler_address", "tcp://host:8786\x00"), ("scheduler_address", "tcp://" + "h" * 400 + ":8786"),
    ("port", "80"), ("port", "65536"), ("port", "-1"), ("port", "0x1f90"), ("port", "٨٠٨٠"), ("port", ""),
    ("host", ""), ("host", "a b"), ("host", "x..y"), ("host", "tcp://x"), ("host", "x_y"), ("host", "h" * 300),
]

# --------------------------------------------------------------------------- sweep specs
SWEEP_BASE = 'name = "hostile"\nscenario = "baseline"\ndesign = "grid"\nreplicates = 1\nseed = 1\nscale = 0.01\n'
SWEEPS = {
    "sweep_binary": (bytes(range(256)) * 2, "UTF-8"),
    "sweep_utf16": ((SWEEP_BASE + '[keys]\n"rent_subsidy.months" = [6, 12]\n').encode("utf-16"), "UTF-16"),
    "sweep_latin1": ((SWEEP_BASE + '# Qostanaý, café\n[keys]\n"rent_subsidy.months" = [6, 12]\n').encode("latin-1"), "UTF-8"),
    "sweep_deep_arrays": ((SWEEP_BASE + '[keys]\n"rent_subsidy.months" = ' + deep("[", "]", 3000) + "\n").encode(), "nested"),
    "sweep_deep_headers": ((SWEEP_BASE + "[" + ".".join(["k"] * 3000) + "]\nx = 1\n").encode(), "nested"),
    "sweep_seed_2_pow_70": (SWEEP_BASE.replace("seed = 1", f"seed = {2**70}").encode()
                            + b'[keys]\n"rent_subsidy.months" = [6, 12]\n', "seed"),
    "sweep_seed_4301_digits": (SWEEP_BASE.replace("seed = 1", "seed = " + "1" * 4301).encode(), "number too large"),
    "sweep_level_nan": ((SWEEP_BASE + '[keys]\n"rent_subsidy.months" = [nan, 12]\n').encode(), "rent_subsidy.months"),
    "sweep_too_large": ((SWEEP_BASE + "#" * 1_000_001).encode(), "1,000,000 bytes"),
}

# special files, made by the test: used as a scenario argument, as an `extends` target and as a sweep spec
SPECIAL = ("fifo", "directory", "dev_null_link", "dev_zero_link", "missing")


def count() -> int:
    """The number of hostile inputs the tests try (each file case also as run, validate and some as extends)."""
    return (len(FILES) + len(EXTENDS_TARGETS) + len(SETS) + len(ARGS) + len(TYPES) + len(SWEEPS)
            + 3 * len(SPECIAL) + 2)  # + an extends cycle and an over-long extends chain
