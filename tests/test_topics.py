"""Topic rule mechanics on small texts: title weight, margin over the runner-up, name words, keyword weights."""

from __future__ import annotations

from pathlib import Path

from indexer.ingest.topics import TopicRules, default_rules, taxonomy

EDU, HEALTH = "科技、教育\\教育", "卫生、体育\\卫生"


def _rules(tmp_path: Path, text: str) -> TopicRules:
    path = tmp_path / "rules.tsv"
    path.write_text(text, encoding="utf-8")
    return TopicRules.load(path, taxonomy())


def test_no_topic_when_two_top_levels_are_close():
    body = "学校组织学生到医院参加健康教育，医疗卫生人员进校园。"
    assert default_rules().assign("", body, []) == []


def test_a_title_word_outweighs_several_body_words():
    body = "会议在区财政局召开，财政、预算、税收部门参加。"
    assert default_rules().assign("稳就业工作推进会召开", body, []) == ["劳动、人事、监察\\劳动就业"]


def test_one_topic_when_it_leads_clearly():
    assert default_rules().assign("区教育局开展校园安全检查", "检查学校消防安全隐患。", []) == [EDU]


def test_the_taxonomy_names_are_keywords_without_rules(tmp_path):
    rules = _rules(tmp_path, "# no rules\n")
    assert rules.assign("加强水利工程管理", "", []) == ["农业、林业、水利\\水利"]
    assert rules.assign("加强工程管理", "", []) == []


def test_keyword_weights_and_a_zero_weight_taking_a_name_word_back(tmp_path):
    rules = _rules(tmp_path, f"{EDU}\t校园*3\n{HEALTH}\t医院\n农业、林业、水利\\水利\t水利*0\n农业、林业、水利\t水利*0\n")
    assert rules.assign("校园与医院", "", []) == [EDU]
    assert rules.assign("加强水利工程管理", "", []) == []
