"""README's "Reaching people" example is a working configuration: both its targets take a test message."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

README = Path(__file__).parents[2] / "README.md"


def _example() -> tuple[str, dict[str, str]]:
    section = README.read_text().split("## Reaching people", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"\n((?:    .*\n|\n)+)", section[section.index("    [notify]") - 1:]).group(1)
    code = textwrap.dedent(block)
    toml = code.split("\nexport ", 1)[0]
    exports = dict(re.findall(r"export (\w+)='([^']+)'", code))
    return toml, exports


def test_readme_example_sends_to_both_targets(smtp, webhook, tmp_path):
    toml, exports = _example()
    assert set(exports) == {"GCNMON_NOTIFY_DUTY", "GCNMON_NOTIFY_OPS"}
    import apprise

    for url in exports.values():  # the README's own URLs are ones apprise understands
        assert apprise.Apprise().add(url), url
    hook = webhook()
    config = tmp_path / "gcnmon.toml"
    config.write_text(toml)
    # the example's own config; the URLs point at our loopback servers instead of the observatory's
    env = {**os.environ, "GCNMON_NOTIFY_DUTY": smtp.url("duty@sao.ru"), "GCNMON_NOTIFY_OPS": hook.url()}
    done = subprocess.run([sys.executable, "-m", "gcnmon", "notify", "--test", "--config", str(config)],
                          env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["duty: test message sent", "ops: test message sent"]
    assert smtp.envelopes[0][1] == ["duty@sao.ru"] and len(hook.posts) == 1
    listing = subprocess.run([sys.executable, "-m", "gcnmon", "notify", "--config", str(config)], env=env,
                             capture_output=True, text=True, timeout=60)
    assert "duty: mailto://*** gets archive, link, retraction, unanswered; at most 12/h" in listing.stdout
    assert "ops: json://*** gets archive, link, relay; at most 6/h" in listing.stdout
