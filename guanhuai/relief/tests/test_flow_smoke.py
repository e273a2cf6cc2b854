from guanhuai.relief.models import State
from guanhuai.relief.services import application_close_notice, application_decide


def test_smoke(comfort_app, village_contact, township_officer, county_officer, today):
    app = application_decide(acting_user=village_contact, application=comfort_app, action="approve",
                             findings="属实", opinion="同意", signatory_1="王专干", signatory_2="李主任")
    app = application_decide(acting_user=township_officer, application=app, action="approve", opinion="同意")
    app = application_decide(acting_user=county_officer, application=app, action="approve", opinion="同意")
    assert app.state == State.NOTICE
    import datetime as dt
    app = application_close_notice(acting_user=county_officer, application=app, today=today + dt.timedelta(days=7))
    assert app.state == State.APPROVED
