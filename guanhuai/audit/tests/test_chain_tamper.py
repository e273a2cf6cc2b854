"""``audit_verify`` proves the hash chain and names the first bad event."""

import pytest
from django.core.management import CommandError, call_command

from guanhuai.audit.models import AuditChainHead, AuditEvent
from guanhuai.audit.services import audit_record, audit_verify, event_digest


def verify_fails_at(event_id: int) -> str:
    with pytest.raises(CommandError) as exc:
        call_command("audit_verify")
    message = str(exc.value)
    assert f"first bad event: #{event_id})" in message
    return message


def test_an_intact_chain_verifies(chain, capsys):
    call_command("audit_verify")
    assert "审计链完整,共 6 条事件" in capsys.readouterr().out
    assert [e.id for e in AuditEvent.objects.order_by("id")] == [1, 2, 3, 4, 5, 6]


def test_an_empty_chain_verifies(db, capsys):
    call_command("audit_verify")
    assert "审计链为空" in capsys.readouterr().out


def test_each_event_links_to_the_previous_one(chain):
    events = list(AuditEvent.objects.order_by("id"))
    assert events[0].prev_hash == "0" * 64
    for before, after in zip(events, events[1:], strict=False):
        assert after.prev_hash == before.hash
        assert after.hash == event_digest(after)


@pytest.mark.parametrize(("field", "value"), [
    ("object_repr", "另一个家庭"),
    ("actor_username", "someone_else"),
    ("ip", "203.0.113.66"),
    ("region_code", "510105001001"),
    ("changes", {"address": ["旧3", "被改过"]}),
])
def test_editing_a_field_of_a_row_is_detected(chain, tamper, field, value):
    AuditEvent.objects.filter(id=3).update(**{field: value})
    message = verify_fails_at(3)
    assert "事件 #3 的内容被修改" in message


def test_editing_a_row_and_rehashing_it_breaks_the_next_link(chain, tamper):
    event = AuditEvent.objects.get(id=3)
    event.object_repr = "另一个家庭"
    AuditEvent.objects.filter(id=3).update(object_repr=event.object_repr, hash=event_digest(event))
    assert "事件 #4 的前序哈希与上一条不符" in verify_fails_at(4)


def test_deleting_a_middle_row_is_detected(chain, tamper):
    AuditEvent.objects.filter(id=3).delete()
    assert "事件 #3 缺失" in verify_fails_at(3)


def test_deleting_the_last_row_is_detected(chain, tamper):
    AuditEvent.objects.filter(id=6).delete()
    assert "事件 #6 缺失" in verify_fails_at(6)


def test_swapping_two_rows_ids_is_detected(chain, tamper):
    AuditEvent.objects.filter(id=3).update(id=-3)
    AuditEvent.objects.filter(id=4).update(id=3)
    AuditEvent.objects.filter(id=-3).update(id=4)
    assert "事件 #3 的前序哈希与上一条不符" in verify_fails_at(3)


def test_swapping_two_rows_contents_is_detected(chain, tamper):
    third, fourth = AuditEvent.objects.get(id=3), AuditEvent.objects.get(id=4)
    columns = ["action", "object_id", "object_repr", "changes", "prev_hash", "hash"]
    AuditEvent.objects.filter(id=3).update(**{c: getattr(fourth, c) for c in columns})
    AuditEvent.objects.filter(id=4).update(**{c: getattr(third, c) for c in columns})
    verify_fails_at(3)


def test_a_forged_row_appended_at_the_end_is_detected(chain, tamper):
    last = AuditEvent.objects.get(id=6)
    forged = AuditEvent(id=7, created_at=last.created_at, actor_username="", ip="", action="family.updated",
                        object_type="family", object_id="9", object_repr="伪造", region_code="510104001001",
                        changes={}, reason="", prev_hash=last.hash)
    forged.hash = event_digest(forged)
    forged.save(force_insert=True)
    assert "不在链尾记录中" in verify_fails_at(7)


def test_a_rewritten_chain_head_is_detected(chain):
    AuditChainHead.objects.filter(id=1).update(last_hash="f" * 64)
    verify_fails_at(6)


def test_a_deleted_chain_head_is_detected(chain):
    AuditChainHead.objects.all().delete()
    verify_fails_at(1)


def test_the_chain_continues_after_verification(chain):
    audit_record(actor=None, action="regions.imported", object_type="region", object_id="x.csv")
    result = audit_verify(batch_size=2)
    assert result.ok and result.checked == 7


def test_verification_walks_in_batches(chain, tamper):
    AuditEvent.objects.filter(id=5).update(reason="改")
    result = audit_verify(batch_size=2)
    assert not result.ok and result.bad_id == 5 and result.checked == 4
