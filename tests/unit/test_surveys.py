"""Surveys' rules: the questionnaire validated whole, skip logic, answers, results arithmetic."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.survey_results import add_tallies, nps, results, tally_increments
from chalicelib.domain.survey_templates import customer_perception
from chalicelib.domain.surveys import (
    CONDITION_TYPES,
    Question,
    Questionnaire,
    QuestionType,
    SurveyDraft,
    blocks,
    flat_answers,
    is_visible,
    read_answers,
)


def q(qid, kind, **more):
    body = {"id": qid, "type": kind, "text": f"问题 {qid}", **more}
    if kind in ("single", "multi") and "options" not in more:
        body["options"] = [{"key": "a", "label": "甲"}, {"key": "b", "label": "乙"}]
    if kind == "matrix5" and "rows" not in more:
        body["rows"] = [{"key": "r1", "label": "行一", "dimension": "有形性"}, {"key": "r2", "label": "行二"}]
    return body


def draft(*questions):
    return {"title": "调查", "questions": list(questions)}


def fault_paths(body):
    with pytest.raises((InvalidInput, ValidationError)) as caught:
        SurveyDraft.model_validate(body)
    error = caught.value
    if isinstance(error, InvalidInput):
        return set(error.fields)
    return {".".join(str(p) for p in e["loc"]) for e in error.errors()}


def test_a_show_if_on_a_later_question_is_refused_at_its_path():
    body = draft(
        q("q1", "rating5"), q("q2", "text"), q("q3", "nps"), q("q4", "text", show_if={"question": "q9", "in": [1]})
    )
    assert fault_paths(body) == {"questions.3.show_if.question"}


def test_a_show_if_on_a_text_question_or_an_impossible_answer_is_refused():
    assert fault_paths(draft(q("q1", "text"), q("q2", "text", show_if={"question": "q1", "in": ["x"]}))) == {
        "questions.1.show_if.question"
    }
    assert fault_paths(draft(q("q1", "rating5"), q("q2", "text", show_if={"question": "q1", "in": [1, 6]}))) == {
        "questions.1.show_if.in.1"
    }
    assert fault_paths(draft(q("q1", "single"), q("q2", "text", show_if={"question": "q1", "in": ["zz"]}))) == {
        "questions.1.show_if.in.0"
    }


def test_duplicate_ids_and_options_where_the_type_has_none_are_named():
    assert fault_paths(draft(q("q1", "rating5"), q("q1", "nps"))) == {"questions.1.id"}
    assert fault_paths(draft(q("q1", "rating5", options=[{"key": "a", "label": "甲"}]))) == {"questions.0.options"}
    assert fault_paths(draft(q("q1", "single", options=[{"key": "a", "label": "甲"}]))) == {"questions.0.options"}
    assert fault_paths(draft(q("q1", "matrix5", rows=[]))) == {"questions.0.rows"}
    assert fault_paths(draft(q("q1", "text", dimension="有形性"))) == {"questions.0.dimension"}
    twice = [{"key": "a", "label": "甲"}, {"key": "a", "label": "乙"}]
    assert fault_paths(draft(q("q1", "multi", options=twice))) == {"questions.0.options"}


def test_the_template_is_valid_and_asks_the_reason_only_of_the_dissatisfied():
    survey = customer_perception()
    questionnaire = survey.questionnaire()
    kinds = [x.type for x in questionnaire.questions]
    assert kinds == ["matrix5", "rating5", "nps", "multi", "text"]
    assert [r.dimension for r in questionnaire.questions[0].rows] == ["有形性", "可靠性", "响应性", "保证性", "移情性"]
    reason = questionnaire.questions[3]
    assert is_visible(reason, {"q2": 3}) and not is_visible(reason, {"q2": 4})
    assert blocks(questionnaire) == [(0, 3), (3, 5)]


MATRIX = {"q1.tangibles": "4", "q1.reliability": "5", "q1.responsiveness": "3", "q1.assurance": "4", "q1.empathy": "5"}


def test_a_hidden_questions_answer_is_refused():
    questionnaire = customer_perception().questionnaire()
    with pytest.raises(InvalidInput) as caught:
        read_answers(questionnaire, {**MATRIX, "q2": "5", "q3": "10", "q4": ["long_wait"]})
    assert caught.value.fields == {"q4": "hidden by an earlier answer: leave it out"}
    answers = read_answers(questionnaire, {**MATRIX, "q2": "2", "q3": "3", "q4": ["attitude", "long_wait"]})
    assert answers["q4"] == ("long_wait", "attitude")  # in the options' order


def test_required_missing_bad_values_and_unknown_names_are_each_named():
    questionnaire = customer_perception().questionnaire()
    with pytest.raises(InvalidInput) as caught:
        read_answers(questionnaire, {"q1.tangibles": "6", "q2": "x", "q3": "11", "q9": "1", "q1.nope": "3"})
    assert caught.value.fields == {
        "q1.tangibles": "a level from 1 to 5",
        "q1.reliability": "required",
        "q1.responsiveness": "required",
        "q1.assurance": "required",
        "q1.empathy": "required",
        "q2": "a whole number from 1 to 5",
        "q3": "a whole number from 0 to 10",
        "q9": "not a question of this survey",
        "q1.nope": "not a question of this survey",
    }


def test_results_count_mean_nps_rows_and_dimensions():
    questionnaire = customer_perception().questionnaire()
    tallies = []
    for overall, score in ((5, 10), (4, 9), (2, 6), (1, 0)):
        answers = read_answers(questionnaire, {**MATRIX, "q2": str(overall), "q3": str(score)})
        tallies.append(tally_increments(questionnaire, answers))
    got = results(questionnaire, add_tallies(tallies))
    assert got.responses == 4
    overall, recommend = got.questions[1], got.questions[2]
    assert overall.n == 4 and overall.counts == {"5": 1, "4": 1, "3": 0, "2": 1, "1": 1} and overall.mean == 3.0
    assert recommend.nps == 0.0  # two promoters, two detractors
    assert got.questions[0].rows["responsiveness"].mean == 3.0
    assert got.dimensions["有形性"] == 4.0 and got.dimensions["总体满意度"] == 3.0
    assert nps({"9": 3, "7": 1}) == 75.0 and nps({}) is None


def test_a_rows_dimension_overrides_its_questions():
    questionnaire = Questionnaire.model_validate(
        {"questions": [q("m", "matrix5", dimension="总体"), q("r", "rating5", dimension="总体")]}
    )
    answers = read_answers(questionnaire, {"m.r1": 1, "m.r2": 5, "r": 2})
    got = results(questionnaire, tally_increments(questionnaire, answers))
    assert got.dimensions == {"有形性": 1.0, "总体": 3.5}


# ----- any valid questionnaire, and any response it accepts, round-trips ----------

KINDS = [k.value for k in QuestionType]


@st.composite
def questionnaires(draw):
    count = draw(st.integers(1, 8))
    questions = []
    for i in range(count):
        kind = draw(st.sampled_from(KINDS))
        body = {"id": f"q{i + 1}", "type": kind, "text": f"问题{i}", "required": draw(st.booleans())}
        if kind in ("single", "multi"):
            n = draw(st.integers(2, 4))
            body["options"] = [{"key": f"o{j}", "label": f"选项{j}"} for j in range(n)]
        if kind == "matrix5":
            n = draw(st.integers(1, 3))
            body["rows"] = [
                {"key": f"r{j}", "label": f"行{j}", "dimension": draw(st.sampled_from([None, "甲", "乙"]))}
                for j in range(n)
            ]
        if kind in ("rating5", "matrix5") and draw(st.booleans()):
            body["dimension"] = draw(st.sampled_from(["甲", "乙"]))
        earlier = [x for x in questions if x["type"] in {t.value for t in CONDITION_TYPES}]
        if earlier and draw(st.booleans()):
            target = draw(st.sampled_from(earlier))
            keys = Question.model_validate(target).answer_keys()
            body["show_if"] = {
                "question": target["id"],
                "in": draw(st.lists(st.sampled_from(keys), min_size=1, max_size=3, unique=True)),
            }
        questions.append(body)
    return Questionnaire.model_validate({"questions": questions})


@st.composite
def responses(draw, questionnaire):
    answers = {}
    for x in questionnaire.questions:
        if not is_visible(x, answers) or not (x.required or draw(st.booleans())):
            continue
        if x.type is QuestionType.rating5:
            answers[x.id] = draw(st.integers(1, 5))
        elif x.type is QuestionType.nps:
            answers[x.id] = draw(st.integers(0, 10))
        elif x.type is QuestionType.single:
            answers[x.id] = draw(st.sampled_from([o.key for o in x.options]))
        elif x.type is QuestionType.multi:
            keys = [o.key for o in x.options]
            chosen = draw(st.lists(st.sampled_from(keys), min_size=1, unique=True))
            answers[x.id] = tuple(k for k in keys if k in chosen)
        elif x.type is QuestionType.text:
            answers[x.id] = draw(st.text(alphabet="好的服务abc 123", min_size=1, max_size=40).filter(str.strip)).strip()
        else:
            answers[x.id] = {r.key: draw(st.integers(1, 5)) for r in x.rows}
    return answers


@settings(deadline=None, max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_any_valid_questionnaire_and_any_response_it_accepts_round_trip(data):
    questionnaire = data.draw(questionnaires())
    again = Questionnaire.model_validate_json(questionnaire.model_dump_json())
    assert again == questionnaire
    answers = data.draw(responses(questionnaire))
    read = read_answers(again, flat_answers(answers))
    assert read == answers
    assert read_answers(again, flat_answers(read)) == read
    tally = tally_increments(again, read)
    assert tally["responses"] == 1
    got = results(again, tally)
    assert got.responses == 1
    assert {r.id for r in got.questions if r.n == 1} == set(read)
