"""Tiny checkpoints built from a config (no downloads): BERT-, XLM-R- and mT5-style.

Tokenizers are trained in milliseconds on a few multilingual sentences, so every script the tests
use has real vocabulary entries.
"""

from __future__ import annotations

from pathlib import Path

from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers

CORPUS = [
    "The cat sat on the mat. A man is reading a book in the park.",
    "Der Hund läuft schnell nach Hause. Sie trinkt jeden Morgen Kaffee.",
    "Le chat dort sur le canapé. Il pleut à Paris depuis hier.",
    "Собака бежит домой. Она пьёт кофе каждое утро.",
    "الكلب يركض إلى المنزل. هي تشرب القهوة كل صباح.",
    "狗跑回家了。她每天早上喝咖啡。猫在垫子上。",
    "कुत्ता घर भागता है। वह हर सुबह कॉफी पीती है।",
    "犬は家に走って帰る。彼女は毎朝コーヒーを飲む。",
    "개가 집으로 달려간다. 그녀는 매일 아침 커피를 마신다.",
    "แมวนอนอยู่บนเสื่อ ฝนตกทั้งวัน",
    "Koer jookseb koju. Ta joob igal hommikul kohvi.",
    "Anjing itu berlari pulang. Dia minum kopi setiap pagi.",
    "Mbwa anakimbia nyumbani. Yeye hunywa kahawa kila asubuhi.",
    "What was the cause? What was the effect? entailment neutral contradiction",
] * 3


def _bert_tokenizer(folder: Path) -> None:
    from transformers import BertTokenizerFast

    tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    tok.train_from_iterator(CORPUS, trainers.WordPieceTrainer(vocab_size=600, special_tokens=specials))
    _template(tok, "[CLS] $A [SEP]", "[CLS] $A [SEP] $B:1 [SEP]:1", ["[CLS]", "[SEP]"])
    tok.decoder = decoders.WordPiece()
    BertTokenizerFast(tokenizer_object=tok).save_pretrained(folder)


def _template(tok: Tokenizer, single: str, pair: str, specials: list[str]) -> None:
    """Add the model family's special tokens around one sentence or a pair."""
    ids = [(name, tok.token_to_id(name)) for name in specials]
    tok.post_processor = processors.TemplateProcessing(single=single, pair=pair, special_tokens=ids)


def _unigram(specials: list[str]) -> Tokenizer:
    tok = Tokenizer(models.Unigram())
    tok.pre_tokenizer = pre_tokenizers.Metaspace()
    tok.decoder = decoders.Metaspace()
    trainer = trainers.UnigramTrainer(vocab_size=600, special_tokens=specials, unk_token="<unk>")
    tok.train_from_iterator(CORPUS, trainer)
    return tok


def make_bert(folder: Path, dropout: float = 0.1) -> Path:
    from transformers import BertConfig, BertModel

    _bert_tokenizer(folder)
    config = BertConfig(
        vocab_size=600,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=48,
        max_position_embeddings=128,
        hidden_dropout_prob=dropout,
        attention_probs_dropout_prob=dropout,
    )
    BertModel(config).save_pretrained(folder)
    return folder


def make_xlmr(folder: Path) -> Path:
    from transformers import XLMRobertaConfig, XLMRobertaModel, XLMRobertaTokenizerFast

    tok = _unigram(["<s>", "<pad>", "</s>", "<unk>", "<mask>"])
    _template(tok, "<s> $A </s>", "<s> $A </s> </s> $B </s>", ["<s>", "</s>"])
    XLMRobertaTokenizerFast(
        tokenizer_object=tok,
        bos_token="<s>",
        eos_token="</s>",
        pad_token="<pad>",
        unk_token="<unk>",
        cls_token="<s>",
        sep_token="</s>",
        mask_token="<mask>",
    ).save_pretrained(folder)
    config = XLMRobertaConfig(
        vocab_size=600,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=48,
        max_position_embeddings=160,
        pad_token_id=1,
        bos_token_id=0,
        eos_token_id=2,
        type_vocab_size=1,
    )
    XLMRobertaModel(config).save_pretrained(folder)
    return folder


def make_mt5(folder: Path) -> Path:
    from transformers import MT5Config, MT5Model, T5TokenizerFast

    tok = _unigram(["<pad>", "</s>", "<unk>"])
    _template(tok, "$A </s>", "$A </s> $B </s>", ["</s>"])
    T5TokenizerFast(
        tokenizer_object=tok, eos_token="</s>", pad_token="<pad>", unk_token="<unk>", extra_ids=0
    ).save_pretrained(folder)
    config = MT5Config(
        vocab_size=600,
        d_model=32,
        d_kv=8,
        d_ff=48,
        num_layers=2,
        num_decoder_layers=1,
        num_heads=2,
        pad_token_id=0,
        eos_token_id=1,
        decoder_start_token_id=0,
    )
    MT5Model(config).save_pretrained(folder)
    return folder


def make_deberta(folder: Path) -> Path:
    """mDeBERTa-style: DeBERTa-v2 with relative attention and a SentencePiece-like tokenizer."""
    from transformers import DebertaV2Config, DebertaV2Model, DebertaV2TokenizerFast

    tok = _unigram(["[PAD]", "[CLS]", "[SEP]", "[UNK]", "[MASK]"])
    _template(tok, "[CLS] $A [SEP]", "[CLS] $A [SEP] $B:1 [SEP]:1", ["[CLS]", "[SEP]"])
    DebertaV2TokenizerFast(
        tokenizer_object=tok,
        pad_token="[PAD]",
        cls_token="[CLS]",
        sep_token="[SEP]",
        unk_token="[UNK]",
        mask_token="[MASK]",
    ).save_pretrained(folder)
    config = DebertaV2Config(
        vocab_size=600,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=48,
        max_position_embeddings=128,
        relative_attention=True,
        position_buckets=32,
        pos_att_type=["p2c", "c2p"],
        pad_token_id=0,
    )
    DebertaV2Model(config).save_pretrained(folder)
    return folder
