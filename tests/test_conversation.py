from assistant.conversation import Turn, resolve


def test_standalone_questions_are_unchanged():
    assert resolve("A2保障机制组要准备哪些材料?", []) == "A2保障机制组要准备哪些材料?"
    history = [Turn("A2保障机制组要准备哪些材料?", "A2保障机制组要准备哪些材料?", "3.A2保障机制组")]
    assert resolve("曹集学校的师生比是多少?", history) == "曹集学校的师生比是多少?"


def test_chinese_ellipsis_replaces_the_subject():
    history = [Turn("A2保障机制组要准备哪些材料?", "A2保障机制组要准备哪些材料?", "3.A2保障机制组")]
    assert resolve("那A3组呢?", history) == "A3组要准备哪些材料?"
    history = [Turn("德新镇初级中学现有学生多少人?", "德新镇初级中学现有学生多少人?", "一、目前学校建设基本情况")]
    assert resolve("那曹集学校呢?", history) == "曹集学校现有学生多少人?"


def test_pronouns_take_the_last_topic():
    history = [Turn("那A3组呢?", "A3组要准备哪些材料?", "4.A3教师队伍组")]
    assert resolve("who leads it?", history) == "who leads it? A3教师队伍组"
    assert resolve("它的组长是谁?", history) == "A3教师队伍组 的组长是谁?"


def test_english_what_about():
    history = [Turn("What must the A2 guarantee-mechanism group file?",
                    "What must the A2 guarantee-mechanism group file?", "3.A2保障机制组")]
    assert resolve("What about A3?", history) == "What must the A3 group file?"


def test_chinese_ellipsis_of_the_thing_asked_about_keeps_the_subject():
    def after(previous, question):
        return resolve(question, [Turn(previous, previous, "x")])
    assert after("曹集学校的师生比是多少?", "那生均图书呢?") == "曹集学校的生均图书是多少?"
    assert after("德新镇初级中学现有学生多少人?", "教职工呢?") == "德新镇初级中学现有教职工多少人?"
    assert after("昭阳街道中心小学有多少教学班和学生?", "图书呢?") == "昭阳街道中心小学有多少图书?"
    assert after("A2保障机制组要准备哪些材料?", "那职责呢?") == "A2保障机制组的职责"
    assert after("A2保障机制组组长是谁?", "那成员呢?") == "A2保障机制组成员是谁?"
    assert after("A2保障机制组组长是谁?", "那A4组呢?") == "A4组组长是谁?"


def test_short_question_without_a_subject_takes_the_earlier_one():
    history = [Turn("曹集学校的师生比是多少?", "曹集学校的师生比是多少?", "一、评估组对我校的检查验收总体情况概述")]
    assert resolve("存在哪些问题?", history) == "曹集学校存在哪些问题?"


def test_english_follow_ups_resolve_like_chinese_ones():
    def after(previous, question, topic="x"):
        return resolve(question, [Turn(previous, previous, topic)])
    group = "What must the A2 guarantee-mechanism group file?"
    assert after(group, "And the A1 group?") == "What must the A1 group file?"
    assert after(group, "who leads it?", "3.A2保障机制组") == "who leads the A2 guarantee-mechanism group?"
    assert after("A2保障机制组要准备哪些材料?", "And the A1 group?") == "A1组要准备哪些材料?"
    # another school, the same question
    assert after("How many teachers does Dexin town junior middle school have?", "what about Caoji School?") == \
        "How many teachers does Caoji School have?"
    assert after("How many teachers does Juwan No. 2 Middle School have?", "What about the 46th middle school?") == \
        "How many teachers does the 46th middle school have?"
    # another thing asked about, the same school
    assert after("What is the pupil-teacher ratio at Caoji School?", "what about the per-student funding?") == \
        "What is the per-student funding at Caoji School?"
    assert after("How many students does Caoji School have?", "And the teachers?") == \
        "How many teachers does Caoji School have?"
    # a short question without a subject takes the earlier one's
    assert after("What is the pupil-teacher ratio at Caoji School?", "What problems remain?") == \
        "What problems remain (Caoji School)?"
    assert after("曹集学校的师生比是多少?", "What problems remain?") == "What problems remain (曹集学校)?"
    # a question that names its own subject stands alone
    assert after("How many students does Caoji School have?", "How many teachers does Xingzhi School have?") == \
        "How many teachers does Xingzhi School have?"


def test_english_entities():
    from assistant.conversation import english_entity

    def named(text):
        span = english_entity(text)
        return text[span[0]:span[1]] if span else None
    assert named("What does Juwan No. 2 Middle School's plan say?") == "Juwan No. 2 Middle School"
    assert named("Who founded Zhaoyang Subdistrict Central Primary School?") == "Zhaoyang Subdistrict Central Primary School"
    assert named("How do schools share resources?") is None  # a bare head word names nothing
    assert named("What must the A2 guarantee-mechanism group file?") == "A2 guarantee-mechanism group"


def test_and_what_about_takes_the_whole_lead_in():
    """issue 28: "And what about X?" was read as "... at what about X?" (the shorter "and" matched first)."""
    from assistant.conversation import Turn, resolve

    last = Turn(question="What problems were found at Caoji School?", resolved="What problems were found at Caoji School?",
                topic=None, title=None)
    assert resolve("And what about Dexin Town Junior High?", [last]) == "What problems were found at Dexin Town Junior High?"
