"""The published releases that file sources read, and where the user puts them.

Every release lives in one folder the user names once (`--data-dir`, or `HARNESS_DATA_DIR`), under
one of the folder names below: the name its archive unpacks to. `xtreme-download` is the
data folder itself, laid out as google-research/xtreme's `scripts/download_data.sh` writes it.
docs/data.md explains how to obtain each one. Pure data (it imports only the spec types).
"""

from __future__ import annotations

from dataclasses import dataclass

from harness.tasks.spec import registry


@dataclass(frozen=True, kw_only=True)
class Release:
    name: str
    title: str
    folders: tuple[str, ...]  # where it is looked for inside the data folder ("" = the folder itself)
    url: str  # where to obtain it
    licence: str  # as the release states it (or "not stated")
    obtain: str  # one line: what to download and where to unpack it


RELEASES: dict[str, Release] = registry(
    "release",
    Release(
        name="xtreme-download",
        title="XTREME download/ layout",
        folders=("",),
        url="https://github.com/google-research/xtreme/blob/master/scripts/download_data.sh",
        licence="each dataset's own (see the original releases)",
        obtain="run scripts/download_data.sh of google-research/xtreme and pass its download/ folder",
    ),
    Release(
        name="xnli-1.0",
        title="XNLI 1.0",
        folders=("XNLI-1.0",),
        url="https://dl.fbaipublicfiles.com/XNLI/XNLI-1.0.zip",
        licence="the LICENSE file inside XNLI-1.0.zip (its README refers to it)",
        obtain="unzip XNLI-1.0.zip into the data folder (XNLI-1.0/xnli.test.tsv)",
    ),
    Release(
        name="paws-x",
        title="PAWS-X",
        folders=("x-final",),
        url="https://storage.googleapis.com/paws/pawsx/x-final.tar.gz",
        licence="may be freely used for any purpose (google-research-datasets/paws LICENSE)",
        obtain="untar x-final.tar.gz into the data folder (x-final/de/test_2k.tsv)",
    ),
    Release(
        name="xcopa",
        title="XCOPA",
        folders=("xcopa-master", "xcopa"),
        url="https://github.com/cambridgeltl/xcopa/archive/master.zip",
        licence="CC BY 4.0 (cambridgeltl/xcopa LICENSE.md)",
        obtain="unzip the cambridgeltl/xcopa archive in the data folder (xcopa-master/data/et/test.et.jsonl)",
    ),
    Release(
        name="ud-2.5",
        title="Universal Dependencies 2.5",
        folders=("ud-treebanks-v2.5",),
        url="https://lindat.mff.cuni.cz/repository/xmlui/handle/11234/1-3105",
        licence="per treebank (each treebank's LICENSE.txt)",
        obtain="untar ud-treebanks-v2.5.tgz into the data folder (ud-treebanks-v2.5/UD_*/*.conllu)",
    ),
    Release(
        name="ud-2.7",
        title="Universal Dependencies 2.7",
        folders=("ud-treebanks-v2.7",),
        url="https://lindat.mff.cuni.cz/repository/xmlui/handle/11234/1-3424",
        licence="per treebank (each treebank's LICENSE.txt)",
        obtain="untar ud-treebanks-v2.7.tgz into the data folder (ud-treebanks-v2.7/UD_*/*.conllu)",
    ),
    Release(
        name="panx",
        title="WikiANN (PAN-X) with the Rahimi et al. 2019 splits",
        folders=("panx_dataset", ""),
        url="https://www.amazon.com/clouddrive/share/d3KGCRCIYwhKJF0H3eWA26hjg2ZCRhjpEQtDL70FSBN",
        licence="not stated by the release",
        obtain=(
            "save AmazonPhotos.zip in the data folder (as download_data.sh asks), or unzip it with -j "
            "into panx_dataset/ (panx_dataset/de.tar.gz)"
        ),
    ),
    Release(
        name="xquad",
        title="XQuAD",
        folders=("xquad-master",),
        url="https://github.com/deepmind/xquad/archive/master.zip",
        licence="CC BY-SA 4.0 (deepmind/xquad README)",
        obtain="unzip the deepmind/xquad archive into the data folder (xquad-master/xquad.ro.json)",
    ),
    Release(
        name="mlqa",
        title="MLQA v1",
        folders=("MLQA_V1",),
        url="https://dl.fbaipublicfiles.com/MLQA/MLQA_V1.zip",
        licence="CC BY-SA 3.0 (MLQA README)",
        obtain="unzip MLQA_V1.zip into the data folder (MLQA_V1/test/test-context-de-question-de.json)",
    ),
    Release(
        name="tydiqa-goldp",
        title="TyDi QA GoldP v1.1",
        folders=("",),
        url="https://storage.googleapis.com/tydiqa/v1.1/tydiqa-goldp-v1.1-dev.tgz",
        licence="apache-2.0 (the tydiqa dataset card of huggingface/datasets)",
        obtain=(
            "put tydiqa-goldp-v1.1-train.json in the data folder and untar tydiqa-goldp-v1.1-dev.tgz "
            "there (tydiqa-goldp-v1.1-dev/tydiqa-goldp-dev-arabic.json)"
        ),
    ),
    Release(
        name="laser-tatoeba",
        title="LASER Tatoeba test sets v1",
        folders=("LASER-main/data/tatoeba/v1", "LASER/data/tatoeba/v1", "tatoeba-v1"),
        url="https://github.com/facebookresearch/LASER/tree/main/data/tatoeba/v1",
        licence="Tatoeba's terms of use, tatoeba.org/eng/terms_of_use (LASER data/tatoeba/v1/README.md)",
        obtain=(
            "unzip the facebookresearch/LASER archive into the data folder "
            "(LASER-main/data/tatoeba/v1/tatoeba.aze-eng.aze)"
        ),
    ),
    Release(
        name="mewsli-x",
        title="Mewsli-X (mewsli-x_20220518_6)",
        folders=("mewsli-x", "mewsli_x/output/dataset"),
        url=(
            "https://github.com/google-research/google-research/tree/master/"
            "dense_representations_for_entity_retrieval/mel"
        ),
        licence="not stated by the release",
        obtain=(
            "run get-mewsli-x.sh of google-research dense_representations_for_entity_retrieval/mel and "
            "copy its output/dataset/ folder to mewsli-x/ in the data folder"
        ),
    ),
    Release(
        name="bucc2018",
        title="BUCC 2018 shared task data",
        folders=("bucc2018",),
        url="https://comparable.limsi.fr/bucc2018/",
        licence="not stated by the release",
        obtain=(
            "untar bucc2018-{de,fr,ru,zh}-en.training-gold.tar.bz2 into the data folder "
            "(bucc2018/de-en/de-en.training.gold)"
        ),
    ),
)


# Licences of the hub copies the suites pin, as their dataset cards state them; the data inside
# keep their releases' licences.
HUB_LICENCES: dict[str, str] = {
    "google/xtreme": (
        "per task, as the dataset card lists them (apache-2.0, cc-by-4.0, cc-by-2.0, cc-by-sa-4.0, other, "
        "cc-by-nc-4.0; UD v2.5's licence)"
    ),
    "cambridgeltl/xcopa": "cc-by-4.0 (dataset card)",
}
