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
