"""Upstage SOLAR-10.7B-Instruct: `### System:` / `### User:` / `### Assistant:` blocks.

Checked against the official template (upstage/SOLAR-10.7B-Instruct-v1.0 `tokenizer_config.json`, revision d460cf07,
"fix chat template"), through recorded renderings: `### System:\\n` + text + `\\n\\n` (left out when the system text
is empty), `### User:\\n` + question + `\\n\\n`, and `### Assistant:\\n` + answer with nothing after it, not even
an eos. Answers are therefore trained without an end-of-turn token, exactly as the official template renders them;
generation stops at the next `### User:` header (or the model's own eos).
"""

from tuneforge.core import ChatTemplate, hookimpl
from tuneforge.core.template_formats.quirks import with_quirks

SOLAR = with_quirks(
    ChatTemplate(
        name="solar",
        system="### System:\n{content}\n\n",
        user="### User:\n{content}\n\n",
        assistant_prefix="### Assistant:\n",
        stop_words=("### User:",),
        reference="upstage/SOLAR-10.7B-Instruct-v1.0",
        description="Upstage SOLAR-10.7B-Instruct: ### System/User/Assistant blocks, no end-of-turn token (as the "
                    "official template); no default system, tool or reasoning turns.",
    ),
    skip_empty_system=True)


@hookimpl
def register_templates(register):
    register(SOLAR)
