"""The sandbox: the injection cases of issue 14 are refused at save or stopped within the
limits, with no secret in what comes out; customer data is never rendered a second time."""

from __future__ import annotations

import time

import pytest
from django.conf import settings

from clientela.accounts.models import Role
from clientela.core.errors import Invalid
from clientela.messaging.schemas import TemplateCreate
from clientela.messaging.services import create_template, engine, render_for
from tests.factories import make_party, make_user
from tests.messaging.conftest import MakeTemplate


def _render(source: str, data: dict[str, object] | None = None, *, html: bool = True) -> str:
    return engine.render(engine.parse(source, field="body", html=html), data or {}, field="body")


def _refused_at_save(body: str, make_template: MakeTemplate) -> Invalid:
    with pytest.raises(Invalid) as caught:
        make_template(channel="sms", purpose="transactional", variants={"en": body})
    return caught.value


def _codes(exc: Invalid) -> set[str]:
    return {e.code for e in exc.errors}


@pytest.mark.django_db
def test_python_attributes_are_not_even_syntax(make_template: MakeTemplate) -> None:
    refused = _refused_at_save("{{ ''.__class__.__mro__ }}", make_template)
    assert _codes(refused) == {"template_syntax"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "name"),
    [
        ("{{ cycler.__init__.__globals__ }}", "cycler.__init__.__globals__"),
        ("{{ config }}", "config"),
        ("{{ settings.SECRET_KEY }}", "settings.SECRET_KEY"),
        ("{{ party.__class__ }}", "party.__class__"),
        ("{{ party }}", "party"),
    ],
)
def test_an_unknown_variable_is_refused_by_name(
    body: str, name: str, make_template: MakeTemplate
) -> None:
    refused = _refused_at_save(body, make_template)
    assert _codes(refused) == {"template_variable_unknown"}
    assert refused.errors[0].params["variable"] == name
    assert refused.errors[0].field == "variants.0.body"


def test_nothing_outside_the_dicts_is_reachable_at_render() -> None:
    out = _render(
        "[{{ cycler.__init__.__globals__ }}][{{ config }}][{{ party.__class__ }}]"
        "[{{ name.__class__.__mro__ }}][{{ party.name.upper }}]",
        {"party": {"name": "Ana"}, "name": "Ana"},
    )
    assert out == "[][][][][]"
    assert settings.SECRET_KEY not in out


@pytest.mark.django_db
def test_a_loop_of_a_billion_is_stopped(make_template: MakeTemplate) -> None:
    refused = _refused_at_save("{% for i in (1..1000000000) %}x{% endfor %}", make_template)
    assert _codes(refused) == {"template_loop_limit"}
    with pytest.raises(Invalid) as caught:
        _render("{% for i in (1..1000000000) %}x{% endfor %}")
    assert _codes(caught.value) == {"template_loop_limit"}


def test_nested_loops_count_together() -> None:
    with pytest.raises(Invalid) as caught:
        _render("{% for i in (1..200) %}{% for j in (1..200) %}x{% endfor %}{% endfor %}")
    assert _codes(caught.value) == {"template_loop_limit"}


def test_doubling_a_string_is_stopped_long_before_a_gigabyte() -> None:
    source = (
        "{% assign x = 'xxxxxxxxxx' %}{% for i in (1..40) %}"
        "{% assign x = x | append: x %}{% endfor %}{{ x }}"
    )
    started = time.monotonic()
    with pytest.raises(Invalid) as caught:
        _render(source)
    assert _codes(caught.value) <= {"template_output_limit", "template_time_limit"}
    assert time.monotonic() - started < 2


def test_output_past_256_kb_is_stopped() -> None:
    with pytest.raises(Invalid) as caught:
        _render("{% for i in (1..9000) %}" + "y" * 100 + "{% endfor %}")
    assert _codes(caught.value) == {"template_output_limit"}


def test_a_slow_render_is_stopped_at_its_time_budget() -> None:
    heavy = " | append: 'a'" * 200
    started = time.monotonic()
    with pytest.raises(Invalid) as caught:
        _render("{% for i in (1..10000) %}{% assign x = 'a'" + heavy + " %}{% endfor %}")
    assert _codes(caught.value) == {"template_time_limit"}
    assert time.monotonic() - started < engine.MAX_SECONDS + 1


def test_nesting_deeper_than_30_is_refused() -> None:
    source = "{% if true %}" * 31 + "x" + "{% endif %}" * 31
    with pytest.raises(Invalid) as caught:
        engine.parse(source, field="body", html=True)
    assert _codes(caught.value) == {"template_syntax"}


def test_other_templates_cannot_be_reached() -> None:
    for source in ("{% include 'x' %}", "{% render 'x' %}", "{% extends 'x' %}"):
        with pytest.raises(Invalid):
            engine.parse(source, field="body", html=True)


@pytest.mark.django_db
def test_a_customer_called_7_times_7_is_written_literally(make_template: MakeTemplate) -> None:
    template = make_template(
        variants={"en": {"subject": "Hi {{ party.first_name }}", "body": "<p>{{ party.name }}</p>"}}
    )
    party = make_party(given_name="{{7*7}}", family_name="{% raw %}<script>x</script>")
    rendered = render_for(template, party, preview=True)
    assert rendered.subject == "Hi {{7*7}}"
    assert "{{7*7}} {% raw %}&lt;script&gt;x&lt;/script&gt;" in rendered.html
    assert "49" not in rendered.html
    assert "<script>" not in rendered.html


@pytest.mark.django_db
@pytest.mark.parametrize("subject", ["Hello\r\nBcc: all@example.com", "Hi\nBcc: x@example.com"])
def test_a_line_break_in_a_subject_is_refused(subject: str, make_template: MakeTemplate) -> None:
    with pytest.raises(Invalid) as caught:
        make_template(variants={"en": {"subject": subject, "body": "<p>x</p>"}})
    assert _codes(caught.value) == {"subject_line_break"}


@pytest.mark.django_db
def test_a_line_break_from_customer_data_never_reaches_the_subject(
    make_template: MakeTemplate,
) -> None:
    template = make_template(variants={"en": {"subject": "Hi {{ party.first_name }}", "body": "x"}})
    party = make_party(given_name="Ana\r\nBcc: all@example.com")
    assert render_for(template, party, preview=True).subject == "Hi Ana Bcc: all@example.com"


@pytest.mark.django_db
def test_loops_and_conditions_need_the_template_editor_right(make_template: MakeTemplate) -> None:
    sales = make_user(role=Role.SALES)
    data = TemplateCreate.model_validate(
        {
            "name": "Thanks",
            "channel": "sms",
            "purpose": "transactional",
            "default_language": "en",
            "variants": [
                {
                    "language": "en",
                    "body": "{% if party.first_name %}Hi {{ party.first_name }}{% endif %}",
                }
            ],
        }
    )
    with pytest.raises(Invalid) as caught:
        create_template(data, by=sales)
    assert _codes(caught.value) == {"template_tag_forbidden"}
    assert caught.value.errors[0].params["tag"] == "if"
    plain = data.model_copy(
        update={
            "variants": [
                data.variants[0].model_copy(
                    update={"body": "Hi {{ party.first_name | default: 'friend' | upcase }}"}
                )
            ]
        }
    )
    assert create_template(plain, by=sales).pk
    assert make_template(
        name="Logic", channel="sms", purpose="transactional",
        variants={"en": "{% if party.first_name %}Hi{% endif %}"},
    ).pk  # fmt: skip


@pytest.mark.django_db
def test_an_unknown_filter_is_refused_by_name(make_template: MakeTemplate) -> None:
    refused = _refused_at_save("{{ party.name | shout }}", make_template)
    assert _codes(refused) == {"template_filter_unknown"}
    assert refused.errors[0].params["filter"] == "shout"


@pytest.mark.django_db
def test_list_paths_and_custom_fields_are_checked(make_template: MakeTemplate) -> None:
    from clientela.parties.models import CustomField

    CustomField.objects.create(key="club", label="Club", type="text")
    ok = (
        "{% for line in last_order.lines %}{{ line.product }}{% endfor %}"
        "{{ last_order.lines.size }} {{ last_order.lines.first.product }}"
        " {{ last_order.lines[0].total }} {{ party.custom.club }}"
    )
    assert make_template(channel="sms", purpose="transactional", variants={"en": ok}).pk
    refused = _refused_at_save("{{ party.custom.nope }} {{ last_order.lines.nope }}", make_template)
    assert {e.params["variable"] for e in refused.errors} == {
        "party.custom.nope",
        "last_order.lines.nope",
    }
