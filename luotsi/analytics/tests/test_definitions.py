"""Indicator definitions: every text in fi/sv/en, the accessors, and the loader's validation."""

from __future__ import annotations

import re

import pyarrow as pa
import pytest

from luotsi.analytics.exports import metadata
from luotsi.analytics.indicators.definitions import (
    TRANSLATED_TEXTS,
    DefinitionError,
    definition,
    definitions,
    parse,
)

#: English texts that are the same in every language: measure and indicator codes, names.
CODE = re.compile(r"^[A-Z0-9 +]+$")
SAME_IN_FINNISH = {"DHIS2", "Tilastokoulu: aktivointiaste"}
ENGLISH_WORDS = re.compile(r"\b(the|with|and|of|distance|travelled|spells?|customers?)\b", re.I)


def _record(**changes):
    rec = {
        "code": "X1",
        "name_fi": "Asiakkaat",
        "name_sv": "Kunder",
        "name_en": "Customers",
        "description_fi": "Kuvaus.",
        "description_sv": "Beskrivning.",
        "description_en": "Description.",
        "numerator": "customers",
        "numerator_fi": "asiakkaat",
        "numerator_sv": "kunder",
        "denominator": "all customers",
        "denominator_fi": "kaikki asiakkaat",
        "denominator_sv": "alla kunder",
        "unit": "percent",
        "aggregation": "ratio",
        "period_semantics": "stock@counting_day",
        "source": "own",
        "follows": "none",
        "follows_fi": "ei julkaistua vastinetta",
        "follows_sv": "ingen publicerad motsvarighet",
        "family": "stocks",
    }
    rec.update(changes)
    return {k: v for k, v in rec.items() if v is not None}


def _parse(**changes):
    defaults = {"definition_version": 1, "valid_from": "2000-01-01", "factor": 100}
    defaults["additive"] = True
    return parse({"defaults": defaults, "indicator": [_record(**changes)]})[0][0]


@pytest.mark.parametrize("name", TRANSLATED_TEXTS)
def test_every_definition_has_its_texts_in_finnish_and_swedish(name):
    for d in definitions():
        en = getattr(d, name)
        for lang in ("fi", "sv"):
            text = getattr(d, f"{name}_{lang}")
            assert bool(text) == bool(en), (d.code, name, lang)
            if en and not CODE.match(en) and not (lang == "fi" and en in SAME_IN_FINNISH):
                assert text != en, (d.code, name, lang, text)  # translated, not copied
            assert not ENGLISH_WORDS.search(text), (d.code, name, lang, text)


def test_names_and_descriptions_do_not_mix_in_english():
    for d in definitions():
        for lang in ("fi", "sv"):
            for text in (d.name(lang), d.description(lang)):
                assert not ENGLISH_WORDS.search(text), (d.code, lang, text)
    a1 = definition("A1")
    assert a1.name("fi") == "Elämäntilanteen muutos arvioinneissa"
    assert a1.name("sv") == "Förändring i livssituationen i bedömningarna"


def test_the_glossary_terms_are_used():
    fi = {
        ("O13", "denominator"): "vastuuasiantuntija",
        ("O3", "numerator"): "alkuhaastattelu",
        ("O5", "numerator"): "työllistymissuunnitelma",
        ("O6", "numerator"): "täydentävää työnhakukeskustelua",
        ("B1", "follows"): "Tilastokeskus 12r5 TYOTTOMATLOPUSSA",
    }
    sv = {
        ("O13", "denominator"): "ansvarig handläggare",
        ("O3", "numerator"): "inledande intervju",
        ("O5", "numerator"): "sysselsättningsplan",
        ("O6", "numerator"): "kompletterande jobbsökarsamtal",
        ("B1", "follows"): "Statistikcentralen 12r5 TYOTTOMATLOPUSSA",
    }
    for lang, terms in (("fi", fi), ("sv", sv)):
        for (code, name), term in terms.items():
            assert term in getattr(definition(code), f"{name}_text")(lang), (code, name, lang)


def test_accessors_give_the_text_in_the_language_and_english_is_canonical():
    d = definition("O14R")
    assert d.numerator_text("en") == d.numerator == "accepted"
    assert d.numerator_text("fi") == "hyväksytyt" and d.numerator_text("sv") == "accepterade"
    assert d.denominator_text("fi") == "hyväksytyt + hylätyt"
    assert d.follows_text("en") == "no anchor"
    assert d.follows_text("sv") == "ingen publicerad motsvarighet"
    assert d.formula("fi") == "100 × (hyväksytyt) / (hyväksytyt + hylätyt)"
    assert d.formula("en") == "100 × (accepted) / (accepted + rejected)"
    b1 = definition("B1")
    assert b1.denominator_text("sv") == "" and b1.formula("sv") == "TYOTTOMATLOPUSSA"
    with pytest.raises(DefinitionError, match="unknown language 'de'"):
        d.numerator_text("de")


def test_a_parsed_record_keeps_the_translations_out_of_extra():
    d = _parse()
    assert (d.numerator_fi, d.denominator_sv, d.follows_fi) == (
        "asiakkaat",
        "alla kunder",
        "ei julkaistua vastinetta",
    )
    assert d.extra == ()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"numerator_sv": None},
            r"indicator X1: numerator has no translation in \['numerator_sv'\]",
        ),
        ({"numerator_fi": ""}, r"indicator X1: numerator has no translation in \['numerator_fi'\]"),
        (
            {"denominator_fi": None, "denominator_sv": None},
            r"indicator X1: denominator has no translation in \['denominator_fi', 'denominator_sv'\]",
        ),
        ({"follows_fi": None}, r"indicator X1: follows has no translation in \['follows_fi'\]"),
        (
            {"aggregation": "count", "denominator": None},
            r"indicator X1: \['denominator_fi', 'denominator_sv'\] given but denominator",
        ),
    ],
)
def test_a_missing_translation_is_an_error_naming_the_indicator_and_field(changes, message):
    with pytest.raises(DefinitionError, match=message):
        _parse(**changes)


@pytest.mark.parametrize(
    ("lang", "follows", "numerator"),
    [
        ("fi", "ei julkaistua vastinetta", "hyväksytyt"),
        ("sv", "ingen publicerad motsvarighet", "accepterade"),
        ("en", "no anchor", "accepted"),
    ],
)
def test_export_metadata_has_the_texts_in_the_export_language(lang, follows, numerator):
    table = pa.table(
        {
            "indicator": ["O14R"],
            "definition_version": [1],
            "status": [""],
            "source": ["own"],
        }
    )
    (meta,) = metadata(table, lang)["indicators"]
    assert meta["follows"] == follows and meta["numerator"] == numerator
    assert meta["formula"] == definition("O14R").formula(lang)
    assert meta["name"] == definition("O14R").name(lang)
