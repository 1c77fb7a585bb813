"""`template: tokenizer`: train with the model tokenizer's own Jinja chat template when no template plugin exists.

The tokenizer's template only renders text; which characters are the assistant's answers is found by rendering the
conversation incrementally: up to each answer with the generation prompt (where the answer starts), and up to and
including it (where it ends). That only works for templates that render each prefix of a conversation as a prefix
of the whole ("prefix-stable"); a template that rewrites earlier turns (drops past reasoning, writes a final answer
differently from a past one) fails with a TemplateError naming the turn, because no mask could be right.

Only the standard library and `tuneforge.core` are imported here; the tokenizer is whatever object the caller passes.
"""

from __future__ import annotations

import json
from typing import Any, Optional, Sequence

from tuneforge.core.errors import TemplateError
from tuneforge.core.records import Message
from tuneforge.core.templates import _SPECIAL_LOOKING, ChatTemplate, Segment, hf_messages, render
from tuneforge.core.verify import missing_tokens


def from_tokenizer(tokenizer: Any, name: str = "tokenizer") -> ChatTemplate:
    """A ChatTemplate that renders with `tokenizer`'s own chat template (its `default` one when it has several).

    Trained: each assistant answer as the template writes it, with the special token(s) closing it (`<|im_end|>`,
    `</s>`); whitespace after the last closing special token is not (the model stops before it). An answer that
    does not end with a special token is trained up to where the next message starts. Text a template writes only
    at the very end of a conversation (Phi-3's final eos) is trained with the last answer only when that answer has
    no closing special token of its own (the model must learn to stop somewhere).

    Rendering raises TemplateError when the template refuses a conversation, is not prefix-stable, or silently
    drops part of it (tool calls, reasoning, a message), so nothing is trained on a mask that cannot be right.
    The template's special tokens are the tokenizer's special tokens and the `<|...|>` strings its source writes
    (each must be one token); `to_jinja` returns the source unchanged, so a trained model's tokenizer renders
    exactly what was trained.
    """
    source = _chat_template_of(tokenizer)
    specials = _special_tokens(tokenizer)
    declared = sorted({t for t in specials if t in source} | set(_SPECIAL_LOOKING.findall(source)), key=source.find)
    split = missing_tokens(tokenizer, declared)
    if split:
        # The engine requires every `<|...|>` string a template writes to be one token (a split end-of-turn token is
        # the silent one-token-off failure it exists to prevent); say so here, where the cause is clear.
        raise TemplateError(f"the tokenizer's own chat template writes {', '.join(split)}, which this tokenizer splits "
                            "into several tokens; tuneforge trains only on templates whose special-looking strings "
                            "are single tokens: add them with `tokenizer.add_special_tokens({'additional_special_"
                            "tokens': [...]})` (and resize the model's embeddings), or choose a template plugin")
    renderer = IncrementalRenderer(tokenizer, specials)
    template = ChatTemplate(name=name, renderer=renderer, jinja=source, special_tokens=declared,
                            description="the model tokenizer's own chat template; trained spans found by rendering "
                                        "incrementally")
    stops = [_closing_token(template, specials), getattr(tokenizer, "eos_token", None)]
    return ChatTemplate(name=name, renderer=renderer, jinja=source, special_tokens=declared,
                        stop_words=tuple(word for word in dict.fromkeys(stops) if word),
                        description=template.description)


def _chat_template_of(tokenizer: Any) -> str:
    template = getattr(tokenizer, "chat_template", None)
    if isinstance(template, dict):  # several named templates (Cohere's default / tool_use / rag)
        if "default" not in template:
            raise TemplateError(f"the tokenizer has several chat templates ({', '.join(template)}) and none named "
                                "`default`: choose a template plugin (`tune templates list`)")
        template = template["default"]
    if not isinstance(template, str) or not template.strip():
        raise TemplateError("the tokenizer has no chat template (`chat_template` in tokenizer_config.json or "
                            "chat_template.jinja), so `template: tokenizer` has nothing to render with: choose a "
                            "template plugin (`tune templates list`)")
    return template


def _special_tokens(tokenizer: Any) -> tuple[str, ...]:
    """The tokenizer's special tokens, longest first (so a token is matched before a shorter one inside it)."""
    tokens = set(getattr(tokenizer, "all_special_tokens", ()))
    for added in getattr(tokenizer, "added_tokens_decoder", {}).values():
        if getattr(added, "special", False):
            tokens.add(added.content)
    return tuple(sorted((t for t in tokens if t), key=len, reverse=True))


def _closing_token(template: ChatTemplate, specials: Sequence[str]) -> Optional[str]:
    """The special token closing a past answer in a probe conversation (a stop word: a last answer may carry what
    a template writes only at the very end, like Phi-3's eos); None when there is none or no probe renders."""
    hi, hello = Message("user", "Hi"), Message("assistant", "Hello")
    for probe in ([hi, hello, Message("user", "Thanks"), Message("assistant", "Welcome")], [hi, hello]):
        try:
            segments = render(template, probe)
        except TemplateError:  # e.g. a template that is not prefix-stable over several exchanges
            continue
        first = next(s.text for s in segments if s.trainable).rstrip()
        return next((t for t in specials if first.endswith(t)), None)
    return None


class IncrementalRenderer:
    """The `renderer` of a tokenizer template: renders prefixes of the conversation with the tokenizer's
    `apply_chat_template` and cuts the whole rendering into prompt / answer segments."""

    def __init__(self, tokenizer: Any, specials: Sequence[str]) -> None:
        self.tokenizer = tokenizer
        self.specials = tuple(specials)

    def __repr__(self) -> str:
        return f"IncrementalRenderer({type(self.tokenizer).__name__})"

    def __call__(self, template: ChatTemplate, messages: Sequence[Message], tools: Sequence[dict],
                 add_generation_prompt: bool) -> list[Segment]:
        cache: dict[tuple[int, bool], str] = {}

        def rendered(upto: int, prompt: bool) -> str:
            if (upto, prompt) not in cache:
                try:
                    cache[upto, prompt] = self.tokenizer.apply_chat_template(
                        hf_messages(messages[:upto]), tools=list(tools) or None, chat_template=template.jinja,
                        tokenize=False, add_generation_prompt=prompt)
                except Exception as exc:  # raise_exception, or the template failing on input it does not expect
                    what = "the conversation" if upto == len(messages) else f"the first {upto} messages"
                    raise TemplateError(f"the tokenizer's chat template cannot render {what} (add_generation_prompt="
                                        f"{prompt}): {type(exc).__name__}: {exc}") from None
            return cache[upto, prompt]

        def ending(upto: int) -> tuple[str, str]:
            """messages[:upto] as (the text a longer conversation starts with, what only its end adds): the common
            part of the renderings with and without the generation prompt, and the rest of the one without."""
            plain = rendered(upto, False)
            try:
                prompted = rendered(upto, True)
            except TemplateError:  # a strict template refusing a generation prompt after an answer
                return plain, ""
            stable = plain[:self._common_prefix(plain, prompted)]
            return stable, plain[len(stable):]

        whole = rendered(len(messages), add_generation_prompt)
        last = len(messages) - 1 if messages[-1].role == "assistant" else None
        # Only a template that writes text at the very end of a conversation (Phi-3's eos) needs the two extra
        # renderings per answer that tell that text apart from the answer's own end.
        suffixed = ending(len(messages))[1] != ""
        segments: list[Segment] = []
        position, turn = 0, 0  # position: end of the text already cut into segments
        for i, message in enumerate(messages):
            if message.role != "assistant":
                continue
            where = f"message {i} (assistant, turn {turn})"
            prompt = rendered(i, True)
            if i == last:
                answered = whole  # the end of the conversation, with whatever the template writes only there
            elif suffixed:
                _, end_before = ending(i)
                answered, end_after = ending(i + 1)
                if end_after != end_before:
                    raise TemplateError(
                        f"the tokenizer's chat template is not prefix-stable at {where}: a conversation ending with "
                        f"this answer ends {end_after!r}, one ending before it {end_before!r}, so the last answer is "
                        "written differently from a past one; choose a template plugin or train on single-turn "
                        "records")
            else:
                answered = rendered(i + 1, False)
            if not answered.startswith(prompt):
                raise TemplateError(
                    f"the tokenizer's chat template is not prefix-stable at {where}: with the generation prompt the "
                    f"text before the answer ends {prompt[-40:]!r}, but the answer is written after "
                    f"{answered[max(0, len(prompt) - 40):len(prompt)]!r}, so the prompt at inference would differ "
                    "from the one trained on; choose a template plugin")
            if not whole.startswith(answered):
                at = self._common_prefix(whole, answered)
                raise TemplateError(
                    f"the tokenizer's chat template is not prefix-stable at {where}: as the last message it is "
                    f"written {answered[at:at + 60]!r}, inside the whole conversation {whole[at:at + 60]!r} (the "
                    "template rewrites earlier turns, e.g. drops past reasoning), so no trained-token mask can be "
                    "right for every turn; choose a template plugin or train on single-turn records")
            if len(prompt) < position:
                raise TemplateError(f"the tokenizer's chat template is not prefix-stable at {where}: the text after "
                                    "the previous answer changes when more messages follow; choose a template plugin")
            answer = answered[len(prompt):]
            _check_answer_written(message, answer, where)
            end = len(prompt) + self._trained_length(answer)
            if i == last and suffixed:
                # Text written only at the very end (Phi-3's eos after `<|end|>`) is not part of an answer that
                # closes itself with a special token; it is trained only when the answer has no closing token of its
                # own, so that the model still learns to stop.
                own = ending(len(messages))[0][len(prompt):]
                if self._closes(own):
                    end = len(prompt) + len(own.rstrip())
            for text, trainable in ((whole[position:len(prompt)], False), (whole[len(prompt):end], True),
                                    (whole[end:len(answered)], False)):
                if text:
                    segments.append(Segment(text, trainable, turn))
            position, turn = len(answered), turn + 1
        if whole[position:]:
            segments.append(Segment(whole[position:], False, turn))
        _check_prompts_written(messages, tools, whole)
        return segments

    def _common_prefix(self, a: str, b: str) -> int:
        """Length of the common prefix, never ending inside a special token: two renderings may share the first
        characters of different tokens (`<|` of `<|assistant|>` and `<|endoftext|>`)."""
        def straddling(k: int) -> Optional[int]:  # where a special token crossing position k starts, if any
            return next((start for text in (a, b) for token in self.specials
                         for start in range(max(0, k - len(token) + 1), k) if text.startswith(token, start)), None)

        k = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
        while (start := straddling(k)) is not None:
            k = start
        return k

    def _closes(self, answer: str) -> bool:
        """Whether the answer ends with a special token (whitespace after it aside)."""
        stripped = answer.rstrip()
        return any(stripped.endswith(t) for t in self.specials)

    def _trained_length(self, answer: str) -> int:
        # Whitespace after the closing special token belongs to the turn separator: the model stops at the token.
        return len(answer.rstrip()) if self._closes(answer) else len(answer)


def _written(text: str, rendered: str) -> bool:
    # A template may trim content, or JSON-quote it (Llama 3.1 tool results).
    text = text.strip()
    return not text or text in rendered or json.dumps(text, ensure_ascii=False)[1:-1] in rendered


def _check_answer_written(message: Message, answer: str, where: str) -> None:
    if not answer:
        raise TemplateError(f"the tokenizer's chat template writes nothing for {where}, so there is nothing to train")
    missing = [what for what, text in (("content", message.content), ("reasoning", message.reasoning or ""))
               if not _written(text, answer)]
    missing += [f"tool call {call.name!r}" for call in message.tool_calls if not _written(call.name, answer)]
    if missing:
        raise TemplateError(f"the tokenizer's chat template drops the {', '.join(missing)} of {where}: training on it "
                            "would teach an answer without it; choose a template plugin that writes it, or drop it "
                            "from the record")


def _check_prompts_written(messages: Sequence[Message], tools: Sequence[dict], whole: str) -> None:
    for i, message in enumerate(messages):
        if message.role != "assistant" and not _written(message.content, whole):
            raise TemplateError(f"the tokenizer's chat template drops the content of message {i} ({message.role}); "
                                "choose a template plugin that writes it, or drop it from the record")
    for tool in tools:
        name = str(tool.get("function", tool).get("name", ""))
        if not _written(name, whole):
            raise TemplateError(f"the tokenizer's chat template does not write the tool definition {name!r}: it "
                                "ignores tools; choose a template plugin that writes them, or drop them from the "
                                "record")
