"""README's configuration tables are the schema's: regenerated from it, they come out the same."""

import re
from pathlib import Path

from gcnmon import config_doc
from gcnmon.config_schema import Settings

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_tables_are_generated_from_the_schema():
    text = README.read_text(encoding="utf-8")
    assert config_doc.render(text) == text, "README is stale: run python -m gcnmon.config_doc"
    assert config_doc.main(["--check", "--readme", str(README)]) == 0


def test_every_section_has_its_table():
    text = README.read_text(encoding="utf-8")
    shown = {
        name for names in re.findall(r"<!-- config-table: ([\w. ]+) -->", text) for name in names.split()
    }
    assert set(Settings.model_fields) | {"groups.match", "notify.targets"} <= shown


def test_a_table_row_says_default_allowed_and_meaning():
    row = next(line for line in config_doc.table(["vtp"]).splitlines() if line.startswith("| `watchdog`"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[:3] == ["`watchdog`", "`150.0`", "number, >= 1"]
    assert "seconds without a packet" in cells[3]
    assert Settings.model_fields["vtp"].annotation.model_fields["watchdog"].description in cells[3]


def test_check_fails_on_a_stale_table(tmp_path):
    stale = tmp_path / "README.md"
    stale.write_text(
        README.read_text(encoding="utf-8").replace("| `watchdog` | `150.0`", "| `watchdog` | `99`"),
        encoding="utf-8",
    )
    assert config_doc.main(["--check", "--readme", str(stale)]) == 1
