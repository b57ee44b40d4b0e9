"""SMS segments counted before sending: GSM-7 (extension table counts double) or UCS-2."""

from __future__ import annotations

import pytest

from clientela.messaging.services.segments import GSM7, UCS2, is_gsm7, sms_length

EMOJI = "\U0001f600"  # outside the BMP: a surrogate pair in UCS-2

CASES = [
    # (text, encoding, units, segments)
    ("", GSM7, 0, 1),
    ("Hello", GSM7, 5, 1),
    ("a" * 160, GSM7, 160, 1),
    ("a" * 161, GSM7, 161, 2),
    ("a" * 306, GSM7, 306, 2),
    ("a" * 307, GSM7, 307, 3),
    ("a" * 459, GSM7, 459, 3),
    ("@£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ!¤¡ÄÖÑÜ§¿äöñüà", GSM7, 43, 1),
    ("€", GSM7, 2, 1),
    ("€" * 80, GSM7, 160, 1),
    ("€" * 81, GSM7, 162, 2),
    ("[]{}\\^~|", GSM7, 16, 1),
    ("a" * 159 + "€", GSM7, 161, 2),
    # 152 septets then an escape pair: the pair is not split, so it opens segment two
    ("a" * 152 + "€" + "a" * 152, GSM7, 306, 3),
    ("a" * 151 + "€" + "a" * 153, GSM7, 306, 2),
    ("Olá", UCS2, 3, 1),
    ("ç", UCS2, 1, 1),
    ("ã" * 70, UCS2, 70, 1),
    ("ã" * 71, UCS2, 71, 2),
    ("ã" * 134, UCS2, 134, 2),
    ("ã" * 135, UCS2, 135, 3),
    ("Hi " + EMOJI, UCS2, 5, 1),
    (EMOJI * 35, UCS2, 70, 1),
    (EMOJI * 36, UCS2, 72, 2),
    # 66 units then a surrogate pair: the pair is not split, so it opens segment two
    ("a" * 66 + EMOJI + "b" * 66, UCS2, 134, 3),
    ("a" * 65 + EMOJI + "b" * 67, UCS2, 134, 2),
    ("Привет", UCS2, 6, 1),
    ("a" * 159 + "ã", UCS2, 160, 3),
]


@pytest.mark.parametrize(("text", "encoding", "units", "segments"), CASES)
def test_a_text_takes_the_segments_of_its_encoding(
    text: str, encoding: str, units: int, segments: int
) -> None:
    length = sms_length(text)
    assert (length.encoding, length.units, length.segments) == (encoding, units, segments)


def test_one_character_outside_the_alphabet_makes_the_whole_text_ucs2() -> None:
    assert is_gsm7("Obrigado pela visita")
    assert not is_gsm7("Obrigado pela visita, João")
    assert sms_length("Obrigado pela visita, João").encoding == UCS2


def test_a_lower_case_c_cedilla_is_not_in_the_gsm_alphabet() -> None:
    # 0x09 is the capital; phones that send "ç" as GSM-7 substitute, we never do
    assert is_gsm7("Ç")
    assert not is_gsm7("ç")
