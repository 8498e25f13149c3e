"""The builder's steps: each gives a whole new draft, validated whole."""

import pytest

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.survey_builder import (
    add_question,
    as_lines,
    move_question,
    next_id,
    parse_lines,
    remove_question,
    replace_question,
)
from chalicelib.domain.survey_templates import customer_perception
from chalicelib.domain.surveys import QuestionType


def ids(draft):
    return [q.id for q in draft.questions]


def test_adding_a_question_takes_the_next_free_id_and_the_options_its_type_needs():
    draft = add_question(customer_perception(), QuestionType.single, "您办理的业务")
    assert ids(draft) == ["q1", "q2", "q3", "q4", "q5", "q6"] and next_id(draft) == "q7"
    assert [o.key for o in draft.questions[-1].options] == ["a", "b"]


def test_moving_above_the_question_a_show_if_looks_at_is_refused_with_the_path():
    draft = customer_perception()
    with pytest.raises(InvalidInput) as caught:
        move_question(move_question(draft, "q4", -1), "q4", -1)
    assert set(caught.value.fields) == {"questions.1.show_if.question"}
    assert ids(move_question(draft, "q5", -1)) == ["q1", "q2", "q3", "q5", "q4"]
    assert ids(move_question(draft, "q1", -1)) == ids(draft)  # the top stays


def test_removing_the_question_a_show_if_looks_at_is_refused():
    draft = customer_perception()
    with pytest.raises(InvalidInput) as caught:
        remove_question(draft, "q2")
    assert set(caught.value.fields) == {"questions.2.show_if.question"}
    assert ids(remove_question(draft, "q4")) == ["q1", "q2", "q3", "q5"]


def test_options_and_rows_round_trip_through_the_text_areas():
    draft = customer_perception()
    matrix = draft.questions[0]
    _, rows = as_lines(matrix)
    parsed = parse_lines(rows + "\n\n", ("key", "label", "label_en", "dimension"))
    changed = replace_question(draft, "q1", {**matrix.model_dump(by_alias=True), "rows": parsed})
    assert changed.questions[0] == matrix
    with pytest.raises(InvalidInput):
        replace_question(draft, "q9", matrix.model_dump(by_alias=True))
