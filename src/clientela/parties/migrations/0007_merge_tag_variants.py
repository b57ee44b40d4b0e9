"""One tag per name as the search folds it: the case-variants written before ("Trade-Fair" and
"trade-fair") become the first-written tag; their parties' links move to it, none twice."""

from django.db import migrations


def merge_tag_variants(apps, schema_editor):
    # The folding of parties.services.tags.tag_key, a pure function reading no model.
    from clientela.parties.services.identity import normalize_text

    Tag = apps.get_model("parties", "Tag")
    Link = apps.get_model("parties", "Party").tags.through
    survivors = {}  # folded name -> the first-written tag's id
    moves = {}  # a later variant's id -> its survivor's id
    keyed = []
    for tag in Tag.objects.order_by("pk").only("pk", "name"):
        key = normalize_text(tag.name)
        if key in survivors:
            moves[tag.pk] = survivors[key]
        else:
            survivors[key] = tag.pk
            tag.key = key
            keyed.append(tag)
    Tag.objects.bulk_update(keyed, ["key"], batch_size=1000)
    for variant, survivor in moves.items():
        tagged = Link.objects.filter(tag_id=survivor).values("party_id")
        Link.objects.filter(tag_id=variant, party_id__in=tagged).delete()
        Link.objects.filter(tag_id=variant).update(tag_id=survivor)
    Tag.objects.filter(pk__in=list(moves)).delete()


class Migration(migrations.Migration):
    dependencies = [("parties", "0006_tag_key")]

    operations = [migrations.RunPython(merge_tag_variants, migrations.RunPython.noop)]
