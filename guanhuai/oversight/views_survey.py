"""Pages of the province's 1% sample survey. Thin: parse, fetch through the access functions, call one service."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from guanhuai.accounts.roles import has_perm
from guanhuai.audit.services import audit_sensitive_read
from guanhuai.lib.formerrors import add_service_errors
from guanhuai.regions.codes import CITY, LEVEL_NAMES
from guanhuai.regions.models import Region

from . import services_survey as services
from .forms import QuestionForm, SurveyPlanForm, SurveyResultForm
from .selectors_survey import (
    choice_counts,
    result_levels,
    survey_get_for_user,
    survey_item_get_for_user,
    survey_items,
    survey_list,
    survey_question_get_for_user,
    survey_results,
    survey_verify,
    user_part,
)


def _context(request, **extra) -> dict:
    return {"active_nav": "oversight", **extra}


@login_required
def survey_list_view(request):
    user = request.user
    if not has_perm(user, "oversight.view"):
        raise Http404
    form = None
    if has_perm(user, "survey.manage") and user.region_id:
        form = SurveyPlanForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                survey = services.survey_plan(acting_user=user, region=user.region, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"已从 {survey.population} 户中分层抽取 {survey.sample_size} 户(随机种子 "
                                          f"{survey.seed})")
                return redirect("oversight:survey", survey.pk)
    elif request.method == "POST":
        raise Http404
    surveys = list(survey_list(user)[:100])
    return render(request, "oversight/surveys.html", _context(request, surveys=surveys, form=form))


@login_required
def survey_detail(request, survey_id):
    user = request.user
    survey = survey_get_for_user(user, survey_id)
    if request.method == "POST":
        raise Http404
    audit_sensitive_read(user, action="survey.viewed", obj=survey)
    verify = survey_verify(survey) if request.GET.get("verify") else None
    items = survey_items(user, survey)
    county = request.GET.get("county", "")
    if county.isdigit() and len(county) == 6:
        items = items.filter(region__code__startswith=county)
    page = Paginator(items, 50).get_page(request.GET.get("page"))
    names = dict(Region.objects.filter(code__in=[c + "000000" for c in survey.strata]).values_list("code", "name"))
    part = user_part(user, survey)
    strata = [{"code": c, "name": names.get(c + "000000", c), **v} for c, v in survey.strata.items()
              if c.startswith(part[:6]) or part.startswith(c)]
    can_write = has_perm(user, "survey.manage") and survey.region_id.startswith(user.region.prefix)
    return render(request, "oversight/survey.html", _context(
        request, survey=survey, page=page, strata=strata, verify=verify, county=county,
        questions=list(survey.questions.all()), can_write=can_write, question_form=QuestionForm() if can_write
        else None))


@login_required
@require_POST
def survey_question_add(request, survey_id):
    survey = survey_get_for_user(request.user, survey_id, write=True)
    form = QuestionForm(request.POST)
    if form.is_valid():
        try:
            services.survey_question_add(acting_user=request.user, survey=survey, **form.service_data())
        except ValidationError as exc:
            messages.error(request, ";".join(exc.messages))
        else:
            messages.success(request, "已新增问题")
    else:
        messages.error(request, ";".join(e for errors in form.errors.values() for e in errors))
    return redirect("oversight:survey", survey.pk)


@login_required
def survey_question_edit(request, survey_id, question_id):
    survey = survey_get_for_user(request.user, survey_id, write=True)
    question = survey_question_get_for_user(request.user, survey, question_id, write=True)
    form = QuestionForm(request.POST or None, initial={"text": question.text, "kind": question.kind,
                                                       "choices": "\n".join(question.choices),
                                                       "is_active": question.is_active})
    if request.method == "POST" and form.is_valid():
        try:
            services.survey_question_update(acting_user=request.user, question=question, **form.service_data(),
                                            is_active=form.cleaned_data["is_active"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "问题已保存")
            return redirect("oversight:survey", survey.pk)
    return render(request, "oversight/survey_question.html", _context(request, survey=survey, question=question,
                                                                      form=form))


@login_required
def survey_record(request, survey_id, item_id):
    user = request.user
    survey = survey_get_for_user(user, survey_id)
    item = survey_item_get_for_user(user, survey, item_id, write=request.method == "POST")
    answers = {a.question_id: a for a in item.answers.all()}
    initial = {"reached": "" if item.reached is None else ("1" if item.reached else "0"), "note": item.note}
    for qid, a in answers.items():
        initial[f"q{qid}"] = ("1" if a.yes else "0") if a.yes is not None else (
            str(a.score) if a.score is not None else a.text)
    questions = [q for q in survey.questions.all() if q.is_active or q.pk in answers]
    form = SurveyResultForm(request.POST or None, questions=questions, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.survey_record_family(acting_user=user, item=item, **form.service_data())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已记录 {item.family.head_name}家的调查结果")
            return redirect("oversight:survey", survey.pk)
    audit_sensitive_read(user, action="survey.family_viewed", obj=item, region_code=item.region_id)
    return render(request, "oversight/survey_record.html", _context(
        request, survey=survey, item=item, form=form,
        can_write=has_perm(user, "survey.manage") and survey.region_id.startswith(user.region.prefix)))


@login_required
def survey_results_view(request, survey_id):
    user = request.user
    survey = survey_get_for_user(user, survey_id)
    if request.method == "POST":
        raise Http404
    part = user_part(user, survey)
    questions = [q for q in survey.questions.all() if q.kind in ("yes_no", "scale")]
    tables = []
    for level in result_levels(user, survey):
        rows = survey_results(survey, part, level)
        tables.append({"title": f"分{LEVEL_NAMES[level]}", "is_city": level == CITY, "rows": [
            {"row": r, "cells": [r.questions.get(q.pk) for q in questions]} for r in rows]})
    counts = choice_counts(survey, part)
    choices = [(q, [(c, counts.get(q.pk, {}).get(c, 0)) for c in q.choices])
               for q in survey.questions.all() if q.kind == "choice"]
    return render(request, "oversight/survey_results.html", _context(
        request, survey=survey, questions=questions, tables=tables, choices=choices))
