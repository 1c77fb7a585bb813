"""Engine features for formats the plain fields cannot express exactly: `text_markers` (special-looking strings that
are ordinary text to the model's tokenizer) and `train_eos` (an eos id trained after each answer, at encode time
only), checked with real tokenizers."""

from __future__ import annotations

import copy

import pytest

from tuneforge.core import ChatTemplate, SpecError, TemplateError
from tuneforge.core.templates import encode, encode_batch, render_text, special_tokens, to_jinja

from template_support import A, REFDATA, S, U, hf_render, trained_text

TOKENIZERS = REFDATA / "tokenizers"


def _tokenizer(name: str):
    transformers = pytest.importorskip("transformers")
    tokenizer = transformers.AutoTokenizer.from_pretrained(str(TOKENIZERS / name))
    tokenizer.clean_up_tokenization_spaces = False
    return tokenizer


@pytest.fixture(scope="module")
def tokenizers() -> dict:
    # Plain reference tokenizers: no template token is added to them.
    return {name: _tokenizer(name) for name in ("gpt2", "llama2", "falcon")}


def _plain_ids(tokenizer, text: str) -> list[int]:
    return tokenizer(text, add_special_tokens=False)["input_ids"]


# ---------------------------------------------------------------------------------------------------------------
# text_markers
# ---------------------------------------------------------------------------------------------------------------

ZEPHYR_FIELDS = dict(
    name="zephyr-text",
    system="<|system|>\n{content}</s>\n",
    user="<|user|>\n{content}</s>\n",
    assistant_prefix="<|assistant|>\n",
    assistant_suffix="</s>",
    assistant_separator="\n",
    special_tokens=("</s>",),
)
ZEPHYR = ChatTemplate(**ZEPHYR_FIELDS, text_markers=("<|system|>", "<|user|>", "<|assistant|>"))
CHAT = [S("Be brief."), U("What is the capital of France?"), A("Paris."), U("And of Italy?"), A("Rome.")]


def test_text_markers_need_no_declaration_but_others_still_do():
    with pytest.raises(SpecError, match=r"<\|assistant\|>.*special_tokens"):
        ChatTemplate(**ZEPHYR_FIELDS, text_markers=("<|system|>", "<|user|>"))
    with pytest.raises(SpecError, match="not written by any of its formats"):
        ChatTemplate(**ZEPHYR_FIELDS, text_markers=("<|system|>", "<|user|>", "<|assistant|>", "<|bot|>"))
    with pytest.raises(SpecError, match="both"):
        ChatTemplate(**{**ZEPHYR_FIELDS, "special_tokens": ("</s>", "<|user|>")},
                     text_markers=("<|system|>", "<|user|>", "<|assistant|>"))
    with pytest.raises(SpecError, match="not written"):
        ChatTemplate(**ZEPHYR_FIELDS, text_markers=("<|system|>", "<|user|>", "<|assistant|>", ""))
    # A string works as the one-marker tuple, as for the other tuple fields.
    assert ChatTemplate(name="one", user="<|user|>{content}", text_markers="<|user|>").text_markers == ("<|user|>",)
    # The markers are not special tokens: nothing asks a tokenizer to add them.
    assert special_tokens(ZEPHYR) == ["</s>"]


@pytest.mark.parametrize("name", ["llama2", "gpt2"])
def test_text_markers_are_tokenized_as_ordinary_text(name, tokenizers):
    tokenizer = tokenizers[name]
    if name == "gpt2":  # gpt2 has no `</s>`; write its own end-of-text token instead
        template = ChatTemplate(**{**ZEPHYR_FIELDS, "assistant_suffix": "<|endoftext|>", "system":
                                   "<|system|>\n{content}<|endoftext|>\n", "user": "<|user|>\n{content}<|endoftext|>\n",
                                   "special_tokens": ("<|endoftext|>",)},
                                text_markers=("<|system|>", "<|user|>", "<|assistant|>"))
        eot = "<|endoftext|>"
    else:
        template, eot = ZEPHYR, "</s>"
    # The markers are several ordinary tokens for this tokenizer: declared as special tokens, encoding refuses.
    assert len(_plain_ids(tokenizer, "<|user|>")) > 1
    declared = ChatTemplate(**{**ZEPHYR_FIELDS, "special_tokens": ("</s>", "<|system|>", "<|user|>",
                                                                   "<|assistant|>")})
    if name == "llama2":
        with pytest.raises(TemplateError, match="single tokens"):
            encode(declared, tokenizer, CHAT)

    text = render_text(template, CHAT)
    encoded = encode(template, tokenizer, CHAT)
    assert encoded.input_ids == _plain_ids(tokenizer, text)
    assert encoded.input_ids == hf_render(tokenizer, CHAT, to_jinja(template), tokenize=True)
    assert hf_render(tokenizer, CHAT, to_jinja(template)) == text
    assert not encoded.truncated
    runs = [run.strip() for run in trained_text(tokenizer, encoded)]
    assert runs == [f"Paris.{eot}", f"Rome.{eot}"]
    # Fast paths and the batch give the same.
    assert encode_batch(template, tokenizer, [(CHAT, ()), (CHAT[:3], ())]) == [encoded, encode(template, tokenizer,
                                                                                               CHAT[:3])]


def test_internlm_style_markers_with_no_declared_special_token(tokenizers):
    template = ChatTemplate(name="internlm-text", user="<|User|>:{content}\n", assistant_prefix="<|Bot|>:",
                            assistant="{content}", assistant_suffix="<eoa>", assistant_separator="\n",
                            text_markers=("<|User|>", "<|Bot|>"))
    tokenizer = tokenizers["llama2"]
    messages = [U("Hi"), A("Hello there")]
    encoded = encode(template, tokenizer, messages)
    assert encoded.input_ids == _plain_ids(tokenizer, render_text(template, messages))
    assert [run.strip() for run in trained_text(tokenizer, encoded)] == ["Hello there<eoa>"]


# ---------------------------------------------------------------------------------------------------------------
# train_eos
# ---------------------------------------------------------------------------------------------------------------

FALCON_LIKE = ChatTemplate(name="falcon-eos", system="System: {content}\n", user="User: {content}\n",
                           assistant_prefix="Falcon:", assistant=" {content}", assistant_separator="\n",
                           train_eos=True)
THREE = [S("Be brief."), U("Hi!"), A("Hello! How can I help?"), U("Name a colour."), A("Blue."),
         U("Another one?"), A("Red.")]


def _without(ids: list[int], positions: list[int]) -> list[int]:
    skip = set(positions)
    return [token for i, token in enumerate(ids) if i not in skip]


def _eos_positions(encoded, eos: int) -> list[int]:
    return [i for i, token in enumerate(encoded.input_ids) if token == eos]


def test_train_eos_is_a_bool_and_not_part_of_the_text():
    with pytest.raises(SpecError, match="train_eos"):
        ChatTemplate(name="bad", user="{content}", train_eos="yes")
    plain = ChatTemplate(**{**{f: getattr(FALCON_LIKE, f) for f in ("name", "system", "user", "assistant_prefix",
                                                                    "assistant", "assistant_separator")}})
    assert render_text(FALCON_LIKE, THREE) == render_text(plain, THREE)
    assert to_jinja(FALCON_LIKE) == to_jinja(plain)


@pytest.mark.parametrize("name", ["falcon", "llama2", "gpt2"])
def test_each_answer_is_followed_by_a_trained_eos(name, tokenizers):
    tokenizer = tokenizers[name]
    eos = tokenizer.eos_token_id
    text = render_text(FALCON_LIKE, THREE)
    assert tokenizer.eos_token not in text
    encoded = encode(FALCON_LIKE, tokenizer, THREE)
    positions = _eos_positions(encoded, eos)
    assert len(positions) == 3
    # The ids are the text's ids (what apply_chat_template gives) plus exactly those eos tokens.
    official = hf_render(tokenizer, THREE, to_jinja(FALCON_LIKE), tokenize=True)
    assert _without(encoded.input_ids, positions) == official == _plain_ids(tokenizer, text)
    assert all(encoded.labels[i] == eos for i in positions)
    # Each eos closes an answer: the trained runs are the answers, each ending with the eos.
    runs = trained_text(tokenizer, encoded)
    assert [run.strip() for run in runs] == [f"{answer}{tokenizer.eos_token}"
                                             for answer in ("Hello! How can I help?", "Blue.", "Red.")]
    # Right after each eos comes the separator (not trained), except at the end.
    assert positions[-1] == len(encoded.input_ids) - 1 or encoded.labels[positions[-1] + 1:] == \
        [-100] * (len(encoded.input_ids) - positions[-1] - 1)
    # Without train_eos: the same ids minus the eos tokens, the same labels minus theirs.
    plain = encode(ChatTemplate(**{**FALCON_LIKE.__dict__, "train_eos": False}), tokenizer, THREE)
    assert plain.input_ids == _without(encoded.input_ids, positions)
    assert plain.labels == _without(encoded.labels, positions)


@pytest.mark.parametrize("name", ["falcon", "llama2"])
def test_train_eos_with_mask_history_and_train_on_prompt(name, tokenizers):
    tokenizer = tokenizers[name]
    eos = tokenizer.eos_token_id
    masked = encode(FALCON_LIKE, tokenizer, THREE, mask_history=True)
    positions = _eos_positions(masked, eos)
    assert [masked.labels[i] for i in positions] == [-100, -100, eos]
    assert [run.strip() for run in trained_text(tokenizer, masked)] == [f"Red.{tokenizer.eos_token}"]
    everything = encode(FALCON_LIKE, tokenizer, THREE, train_on_prompt=True)
    assert everything.labels == everything.input_ids == masked.input_ids


@pytest.mark.parametrize("name", ["falcon", "llama2", "gpt2"])
def test_train_eos_cutoff_drops_whole_turns_with_their_eos(name, tokenizers):
    tokenizer = tokenizers[name]
    eos = tokenizer.eos_token_id
    full = encode(FALCON_LIKE, tokenizer, THREE)
    positions = _eos_positions(full, eos)
    # Turn k ends after its eos and its separator: the first token of the next prompt.
    turn_ends = [next(i for i in range(p + 1, len(full.input_ids)) if full.labels[i] == -100 and
                      tokenizer.decode(full.input_ids[p + 1:i + 1]).strip()) for p in positions[:-1]]
    for kept, end in enumerate(turn_ends, start=1):
        for cutoff in (end, end + 1):
            cut = encode(FALCON_LIKE, tokenizer, THREE, cutoff_len=cutoff)
            assert not cut.truncated
            assert cut.input_ids == full.input_ids[:len(cut.input_ids)]
            assert cut.labels == full.labels[:len(cut.input_ids)]
            assert len(_eos_positions(cut, eos)) == kept
            assert len(cut.input_ids) <= cutoff
    # One token short of the first turn's end: the turn does not fit whole, so it is cut there (truncated).
    first_eos = positions[0]
    cut = encode(FALCON_LIKE, tokenizer, THREE, cutoff_len=first_eos)
    assert cut.truncated and cut.input_ids == full.input_ids[:first_eos] and eos not in cut.input_ids
    assert cut.labels == full.labels[:first_eos]
    cut = encode(FALCON_LIKE, tokenizer, THREE, cutoff_len=first_eos + 1)
    assert cut.input_ids[-1] == eos and cut.labels[-1] == eos
    # A single answer cut before its eos: truncated, and the eos is not there.
    single = THREE[:3]
    whole = encode(FALCON_LIKE, tokenizer, single)
    [at] = _eos_positions(whole, eos)
    assert whole.labels[at] == eos and set(whole.labels[at + 1:]) <= {-100}  # only the separator after it
    cut = encode(FALCON_LIKE, tokenizer, single, cutoff_len=at)
    assert cut.truncated and cut.input_ids == whole.input_ids[:at] and cut.labels == whole.labels[:at]
    assert encode(FALCON_LIKE, tokenizer, single, cutoff_len=len(whole.input_ids)) == whole
    # mask_history: the last answer (with its eos) must survive whole, else the row is cut (truncated).
    masked = encode(FALCON_LIKE, tokenizer, THREE, mask_history=True)
    last = positions[-1]
    cut = encode(FALCON_LIKE, tokenizer, THREE, cutoff_len=last, mask_history=True)
    assert cut.truncated and cut.input_ids == masked.input_ids[:last] and cut.labels == masked.labels[:last]
    assert eos not in cut.labels


@pytest.mark.parametrize("name", ["falcon", "llama2"])
def test_train_eos_batch_is_encode_per_conversation(name, tokenizers):
    tokenizer = tokenizers[name]
    conversations = [(THREE, ()), (THREE[:3], ()), ([U("x"), A("y"), U("z"), A("w")], ())]
    for kwargs in ({}, {"cutoff_len": 20}, {"cutoff_len": 20, "mask_history": True}, {"train_on_prompt": True}):
        batch = encode_batch(FALCON_LIKE, tokenizer, conversations, **kwargs)
        assert batch == [encode(FALCON_LIKE, tokenizer, m, t, **kwargs) for m, t in conversations]


def test_train_eos_needs_an_eos_token(tokenizers):
    tokenizer = copy.deepcopy(tokenizers["falcon"])
    tokenizer.eos_token = None
    assert tokenizer.eos_token_id is None
    with pytest.raises(TemplateError, match="eos"):
        encode(FALCON_LIKE, tokenizer, THREE)
