"""The web workspace in a real browser (chromium + chromedriver, as test_browser.py): upload a Word
file on the documents page and ask about it, delete it and see it gone; draft a rectification
plan and download the .docx (reopened with python-docx); reload the chat page and find the
conversation; the phone layout leaves most of the screen to the conversation. Screenshots go to
the test's tmp folder and to $ASSISTANT_SCREENSHOTS when set."""

import io
import os

import httpx
import pytest
from docx import Document

import test_browser
from test_browser import CHROMEDRIVER, CHROMIUM, ask, save, serving

pytestmark = [pytest.mark.browser, pytest.mark.real_model]
webdriver = test_browser.webdriver
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    """`assistant serve` with uploads on (ASSISTANT_ALLOW_UPLOAD=1), over the tiny corpus."""
    root = tmp_path_factory.mktemp("workspace")
    with serving(root, ASSISTANT_ALLOW_UPLOAD="1") as url:
        yield url, root


@pytest.fixture
def browser(tmp_path):
    os.environ.setdefault("SE_OFFLINE", "true")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--window-size=1280,1000", "--lang=zh-CN",
                 f"--user-data-dir={tmp_path / 'chromium-profile'}"):
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"download.default_directory": str(tmp_path / "downloads"),
                                              "download.prompt_for_download": False})
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path=CHROMEDRIVER))
    driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path / "downloads")})
    try:
        yield driver
    finally:
        driver.quit()


def no_errors(driver):
    problems = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert not problems, problems


def word_file(path, *paragraphs: str):
    """A Word file of these paragraphs at `path` (made for an upload)."""
    document = Document()
    for text in paragraphs:
        document.add_paragraph(text)
    document.save(str(path))
    return path


def builds(driver) -> int:
    return int(driver.find_element(By.ID, "build-panel").get_attribute("data-builds") or 0)


def build_finished(driver, before: int, timeout=120):
    """Wait until the page shows a build after the `before`-th as finished."""
    WebDriverWait(driver, timeout).until(
        lambda d: builds(d) > before and d.find_element(By.ID, "build-panel").get_attribute("data-state") != "building")
    assert driver.find_element(By.ID, "build-panel").get_attribute("data-state") == "done", \
        driver.find_element(By.ID, "build-text").text


def test_upload_a_word_file_ask_about_it_and_delete_it(workspace, browser, tmp_path):
    url, root = workspace
    upload = word_file(tmp_path / "青山镇整改方案.docx", "青山镇中心小学义务教育均衡发展整改方案", "一、存在的问题",
                       "学校图书馆藏书不足,生均图书只有十八册。", "二、整改措施", "年底前补充图书4000册,由副校长王红梅负责。")

    browser.get(url + "/library")
    WebDriverWait(browser, 10).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#documents tbody tr")) == 2)
    WebDriverWait(browser, 10).until(lambda d: d.find_element(By.ID, "build-panel").get_attribute("data-builds"))
    save(browser, tmp_path, "issue18-documents.png")
    browser.find_element(By.ID, "files").send_keys(str(upload))
    assert "青山镇整改方案.docx" in browser.find_element(By.ID, "chosen").text
    before = builds(browser)
    browser.find_element(By.ID, "upload").click()
    build_finished(browser, before)
    WebDriverWait(browser, 10).until(lambda d: "青山镇整改方案.docx" in d.find_element(By.ID, "documents").text)
    assert "已保存" in browser.find_element(By.ID, "upload-result").text
    assert "docx" in browser.find_element(By.ID, "documents").text
    save(browser, tmp_path, "issue18-uploaded.png")

    browser.get(url + "/")
    answer = ask(browser, "青山镇中心小学要补充多少册图书?", 0)
    assert "4000册" in answer.find_element(By.CSS_SELECTOR, ".answer-text").text
    first = answer.find_elements(By.CSS_SELECTOR, ".citation")[0]
    assert "青山镇整改方案.docx" in first.find_element(By.CSS_SELECTOR, ".cite-loc").text
    first.find_element(By.TAG_NAME, "summary").click()
    marks = [m.text for m in first.find_elements(By.CSS_SELECTOR, ".passage mark.hit")]
    assert any("补充图书4000册" in m for m in marks), marks  # the sentence that answers is marked in the passage
    save(browser, tmp_path, "issue18-asked.png")

    browser.get(url + "/library")
    row = WebDriverWait(browser, 10).until(lambda d: next(
        (r for r in d.find_elements(By.CSS_SELECTOR, "#documents tbody tr") if "青山镇整改方案.docx" in r.text), None))
    WebDriverWait(browser, 10).until(lambda d: d.find_element(By.ID, "build-panel").get_attribute("data-builds"))
    before = builds(browser)
    row.find_element(By.CSS_SELECTOR, "button.delete").click()
    alert = browser.switch_to.alert
    assert "删除文件“青山镇整改方案.docx”" in alert.text and "deleted 文件夹" in alert.text, alert.text
    alert.accept()
    build_finished(browser, before)
    WebDriverWait(browser, 10).until(lambda d: "青山镇整改方案.docx" not in d.find_element(By.ID, "documents").text)
    assert len(browser.find_elements(By.CSS_SELECTOR, "#documents tbody tr")) == 2
    assert list((root / "home" / "deleted").iterdir())  # kept, not destroyed
    gone = httpx.post(url + "/ask", json={"question": "青山镇中心小学要补充多少册图书?"}).json()
    assert all(c["source"] != "青山镇整改方案.docx" for c in gone["citations"])
    no_errors(browser)


def test_draft_a_rectification_plan_and_download_the_word_file(workspace, browser, tmp_path):
    url, _ = workspace
    browser.get(url + "/drafting")
    WebDriverWait(browser, 10).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#kind option")) >= 5)
    Select(browser.find_element(By.ID, "kind")).select_by_value("rectification")
    browser.find_element(By.ID, "school").send_keys("青山镇中心小学")
    browser.find_element(By.ID, "make").click()
    WebDriverWait(browser, 30).until(lambda d: d.find_element(By.ID, "outline").is_displayed())
    outline = browser.find_element(By.ID, "outline")
    assert "青山镇中心小学义务教育均衡发展工作整改方案" in outline.find_element(By.CSS_SELECTOR, ".o-title").text
    assert outline.find_elements(By.CSS_SELECTOR, "mark.ph") and outline.find_elements(By.CSS_SELECTOR, "table.grid")
    summary = browser.find_element(By.CSS_SELECTOR, "#facts-box summary")
    summary.click()
    box = browser.find_element(By.CSS_SELECTOR, '#facts input[data-name="学生数"]')
    box.send_keys("650")
    browser.find_element(By.ID, "make").click()
    WebDriverWait(browser, 30).until(lambda d: "学生650人" in d.find_element(By.ID, "outline").text)
    save(browser, tmp_path, "issue18-drafting.png")
    browser.find_element(By.ID, "get-docx").click()
    downloads = tmp_path / "downloads"
    target = downloads / "青山镇中心小学-整改方案提纲.docx"
    WebDriverWait(browser, 30).until(lambda d: target.exists() and target.stat().st_size > 10_000)
    word = Document(io.BytesIO(target.read_bytes()))
    assert word.paragraphs[0].text == "青山镇中心小学义务教育\n均衡发展工作整改方案"  # 公文 title in balanced lines
    assert "学生650人" in "\n".join(p.text for p in word.paragraphs)
    assert round(word.sections[0].page_width.mm) == 210 and round(word.sections[0].top_margin.mm) == 37
    no_errors(browser)


def test_the_conversation_survives_a_reload_and_phones_see_it(workspace, browser, tmp_path):
    url, _ = workspace
    browser.get(url + "/")
    ask(browser, "A2保障机制组要准备哪些材料?", 0)
    ask(browser, "那A3组呢?", 1)
    browser.refresh()
    WebDriverWait(browser, 10).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, ".msg.bot")) == 2)
    bubbles = [b.text for b in browser.find_elements(By.CSS_SELECTOR, ".msg.user .bubble")]
    assert bubbles == ["A2保障机制组要准备哪些材料?", "那A3组呢?"]
    items = browser.find_elements(By.CSS_SELECTOR, "#conversation-list .conversation-item")
    assert len(items) == 1 and "A2保障机制组" in items[0].text and "2 问" in items[0].text
    third = ask(browser, "A1组呢?", 2)  # the follow-up still has the stored history
    assert "A1组" in third.find_element(By.CSS_SELECTOR, ".resolved").text
    assert third.find_element(By.CSS_SELECTOR, "button.copy").is_displayed()
    save(browser, tmp_path, "issue18-chat-desktop.png")

    browser.find_element(By.ID, "new-chat").click()
    assert not browser.find_elements(By.CSS_SELECTOR, ".msg") and browser.find_element(By.ID, "welcome").is_displayed()
    browser.refresh()
    assert not browser.find_elements(By.CSS_SELECTOR, ".msg")
    browser.find_element(By.CSS_SELECTOR, "#conversation-list .open-conversation").click()
    WebDriverWait(browser, 5).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, ".msg.bot")) == 3)

    browser.set_window_size(390, 844)
    browser.refresh()
    WebDriverWait(browser, 10).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, ".msg.bot")) == 3)
    covered = browser.execute_script(
        "const bar = document.querySelector('.ask-bar').getBoundingClientRect().height;"
        "const top = getComputedStyle(document.querySelector('.top')).position === 'sticky'"
        "  ? document.querySelector('.top').getBoundingClientRect().height : 0;"
        "return (bar + top) / window.innerHeight;")
    assert covered < 0.2, covered  # was about 45% at phone width
    save(browser, tmp_path, "issue18-chat-phone.png")
    browser.find_element(By.ID, "show-history").click()
    WebDriverWait(browser, 5).until(lambda d: d.find_element(By.CSS_SELECTOR, ".open-conversation").is_displayed())
    save(browser, tmp_path, "issue18-history-phone.png")
    browser.get(url + "/library")
    save(browser, tmp_path, "issue18-documents-phone.png")
    browser.get(url + "/drafting")
    save(browser, tmp_path, "issue18-drafting-phone.png")
    no_errors(browser)


def test_a_collection_made_on_the_page_holds_an_upload_scopes_answers_and_goes(workspace, browser, tmp_path):
    """Issue 26: create a collection, upload into it, ask scoped to it and see it named in the
    citation, ask scoped to the default and not see it, delete it (its folder kept aside)."""
    url, root = workspace
    upload = word_file(tmp_path / "白沙镇自查报告.docx", "白沙镇中学自查报告", "一、基本情况", "学校现有学生512人,专任教师41人。",
                       "二、存在的问题", "实验室仪器不足,计划2025年春季补齐。")

    browser.get(url + "/library")
    WebDriverWait(browser, 10).until(lambda d: d.find_element(By.ID, "build-panel").get_attribute("data-builds"))
    browser.find_element(By.ID, "collection-name").send_keys("白沙镇")
    browser.find_element(By.ID, "collection-create").click()
    WebDriverWait(browser, 10).until(lambda d: "已新建知识库“白沙镇”" in d.find_element(By.ID, "collection-result").text)
    WebDriverWait(browser, 10).until(lambda d: Select(d.find_element(By.ID, "collection")).first_selected_option
                                     .get_attribute("value") == "白沙镇")
    assert "放入知识库:白沙镇" in browser.find_element(By.ID, "upload-target").text
    browser.find_element(By.ID, "files").send_keys(str(upload))
    before = builds(browser)
    browser.find_element(By.ID, "upload").click()
    build_finished(browser, before)
    WebDriverWait(browser, 10).until(lambda d: "白沙镇自查报告.docx" in d.find_element(By.ID, "documents").text)
    assert len(browser.find_elements(By.CSS_SELECTOR, "#documents tbody tr")) == 1  # the list shows the chosen one
    assert (root / "home" / "collections" / "白沙镇" / "corpus" / "白沙镇自查报告.docx").exists()
    save(browser, tmp_path, "issue26-collection.png")

    browser.get(url + "/")
    browser.find_element(By.CSS_SELECTOR, "#scope summary").click()
    WebDriverWait(browser, 10).until(lambda d: d.find_element(By.ID, "scope-collection-field").is_displayed())
    Select(browser.find_element(By.ID, "scope-collection")).select_by_value("白沙镇")
    answer = ask(browser, "白沙镇中学有多少学生?", 0)
    assert "512" in answer.find_element(By.CSS_SELECTOR, ".answer-text").text
    places = [c.text for c in answer.find_elements(By.CSS_SELECTOR, ".cite-loc")]
    assert places and all(p.startswith("〔白沙镇〕白沙镇自查报告.docx") for p in places), places
    save(browser, tmp_path, "issue26-scoped-answer.png")
    Select(browser.find_element(By.ID, "scope-collection")).select_by_value("default")
    other = ask(browser, "白沙镇中学有多少学生?", 1)
    assert not any("白沙镇" in c.text for c in other.find_elements(By.CSS_SELECTOR, ".cite-loc"))

    browser.get(url + "/library")
    WebDriverWait(browser, 10).until(lambda d: d.find_element(By.ID, "collection-delete").is_displayed())
    before = builds(browser)
    browser.find_element(By.ID, "collection-delete").click()
    alert = browser.switch_to.alert
    assert "删除知识库“白沙镇”" in alert.text and "1 篇文档" in alert.text, alert.text
    alert.accept()
    build_finished(browser, before)
    WebDriverWait(browser, 10).until(lambda d: "白沙镇" not in d.find_element(By.ID, "collection").text)
    assert "白沙镇自查报告.docx" not in browser.find_element(By.ID, "documents").text
    kept = list((root / "home" / "deleted" / "collections").glob("*-白沙镇/corpus/白沙镇自查报告.docx"))
    assert kept  # moved aside, not destroyed
    gone = httpx.post(url + "/ask", json={"question": "白沙镇中学有多少学生?"}).json()
    assert all(c.get("collection") != "白沙镇" for c in gone["citations"])
    no_errors(browser)
