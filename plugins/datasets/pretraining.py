"""Pre-training corpora on the Hugging Face hub: one document per row, for continued pre-training (`text` format).

`code` in `languages` marks source-code corpora. Most are terabytes: tuneforge loads a hub split whole (no
streaming yet), so use them on machines sized for that. Licences and sizes are those stated on each dataset card
("unknown" / None where the card says nothing).
"""

from __future__ import annotations

from tuneforge.core import DatasetSpec, hookimpl

DATASETS = (
    # ---- from LLaMA-Factory's dataset_info.json -----------------------------------------------------------------
    DatasetSpec(
        name="refinedweb",
        format="text",
        hub_id="tiiuae/falcon-refinedweb",
        columns={"text": "content"},
        stages=("pt",),
        languages=("en",),
        license="odc-by",
        size=968_000_000,
        description="Falcon RefinedWeb: filtered and deduplicated English CommonCrawl",
    ),
    DatasetSpec(
        name="redpajama_v2",
        format="text",
        hub_id="togethercomputer/RedPajama-Data-V2",
        subset="default",
        columns={"text": "raw_content"},
        stages=("pt",),
        languages=("en", "de", "fr", "es", "it"),
        description="RedPajama-Data-V2: 30T tokens of CommonCrawl text with quality signals (Common Crawl terms)",
    ),
    DatasetSpec(
        name="wikipedia_en",
        format="text",
        hub_id="olm/olm-wikipedia-20221220",
        columns={"text": "text"},
        stages=("pt",),
        languages=("en",),
        description="English Wikipedia as of 2022-12-20, cleaned by the Online Language Modelling project",
    ),
    DatasetSpec(
        name="wikipedia_zh",
        format="text",
        hub_id="pleisto/wikipedia-cn-20230720-filtered",
        columns={"text": "completion"},
        stages=("pt",),
        languages=("zh",),
        description="Chinese Wikipedia as of 2023-07-20, filtered",
    ),
    DatasetSpec(
        name="pile",
        format="text",
        hub_id="monology/pile-uncopyrighted",
        columns={"text": "text"},
        stages=("pt",),
        languages=("en",),
        license="other",
        description="The Pile without its copyrighted subsets (Books3, BookCorpus2, OpenSubtitles, YTSubtitles, OWT2)",
    ),
    DatasetSpec(
        name="skypile",
        format="text",
        hub_id="Skywork/SkyPile-150B",
        columns={"text": "text"},
        stages=("pt",),
        languages=("zh",),
        license="other",
        description="SkyPile-150B: filtered Chinese web pages (Skywork Community License)",
    ),
    DatasetSpec(
        name="fineweb",
        format="text",
        hub_id="HuggingFaceFW/fineweb",
        columns={"text": "text"},
        stages=("pt",),
        languages=("en",),
        license="odc-by",
        description="FineWeb: 15T tokens of filtered, deduplicated English CommonCrawl",
    ),
    DatasetSpec(
        name="fineweb_edu",
        format="text",
        hub_id="HuggingFaceFW/fineweb-edu",
        columns={"text": "text"},
        stages=("pt",),
        languages=("en",),
        license="odc-by",
        description="FineWeb-Edu: the FineWeb pages an LLM classifier rated educational",
    ),
    DatasetSpec(
        name="cci3_hq",
        format="text",
        hub_id="BAAI/CCI3-HQ",
        columns={"text": "text"},
        stages=("pt",),
        languages=("zh",),
        license="apache-2.0",
        description="CCI3-HQ: the high-quality, model-filtered part of BAAI's Chinese corpus CCI 3.0",
    ),
    DatasetSpec(
        name="cci3_data",
        format="text",
        hub_id="BAAI/CCI3-Data",
        columns={"text": "text"},
        stages=("pt",),
        languages=("zh",),
        license="apache-2.0",
        description="CCI 3.0: BAAI's cleaned Chinese web corpus",
    ),
    DatasetSpec(
        name="cci4_base",
        format="text",
        hub_id="BAAI/CCI4.0-M2-Base-v1",
        columns={"text": "text"},
        stages=("pt",),
        languages=("zh", "en"),
        description="CCI4.0-M2 Base: bilingual web, code, maths, books and wiki pre-training data (gated)",
    ),
    DatasetSpec(
        name="cci4_cot",
        format="text",
        hub_id="BAAI/CCI4.0-M2-CoT-v1",
        columns={"text": "text"},
        stages=("pt",),
        languages=("zh", "en"),
        size=157_000_000,
        description="CCI4.0-M2 CoT: synthesised chain-of-thought documents for reasoning-heavy pre-training (gated)",
    ),
    DatasetSpec(
        name="cci4_extra",
        format="text",
        hub_id="BAAI/CCI4.0-M2-Extra-v1",
        columns={"text": "text"},
        stages=("pt",),
        languages=("zh", "en"),
        description="CCI4.0-M2 Extra: the part of CCI4.0 released separately for licence reasons (gated)",
    ),
    DatasetSpec(
        name="the_stack",
        format="text",
        hub_id="bigcode/the-stack",
        columns={"text": "content"},
        stages=("pt",),
        languages=("code",),
        license="other",
        description="The Stack: permissively licensed source files in 300+ programming languages (gated, terms of use)",
    ),
    DatasetSpec(
        name="starcoder_python",
        format="text",
        hub_id="bigcode/starcoderdata",
        columns={"text": "content"},
        stages=("pt",),
        languages=("code",),
        license="other",
        description="StarCoderData, the StarCoder training corpus (gated); LLaMA-Factory reads only its `python` "
        "folder, which a spec cannot select yet, so this loads every language",
    ),
    # ---- widely used corpora beyond LLaMA-Factory's list ----------------------------------------------------------
    DatasetSpec(
        name="wikitext_103",
        format="text",
        hub_id="Salesforce/wikitext",
        subset="wikitext-103-raw-v1",
        columns={"text": "text"},
        stages=("pt",),
        languages=("en",),
        license="cc-by-sa-3.0",
        size=1_801_350,
        description="WikiText-103: verified good and featured Wikipedia articles, one line per row",
    ),
    DatasetSpec(
        name="tinystories",
        format="text",
        hub_id="roneneldan/TinyStories",
        columns={"text": "text"},
        stages=("pt",),
        languages=("en",),
        license="cdla-sharing-1.0",
        size=2_119_719,
        description="TinyStories: short stories in a small vocabulary, written by GPT-3.5 and GPT-4",
    ),
    DatasetSpec(
        name="c4_en",
        format="text",
        hub_id="allenai/c4",
        subset="en",
        columns={"text": "text"},
        stages=("pt",),
        languages=("en",),
        license="odc-by",
        size=364_868_892,
        description="C4: the Colossal Clean Crawled Corpus used to train T5 (English)",
    ),
)


@hookimpl
def register_datasets(register):
    for spec in DATASETS:
        register(spec)
