"""The chat page in a real browser: `assistant serve` on a free 127.0.0.1 port over the tiny corpus,
driven by Debian's chromium through chromedriver (selenium). Skips cleanly where chromium, its driver
or selenium are missing; .ci/run installs them.

The screenshots go to the test's tmp folder, and also to $ASSISTANT_SCREENSHOTS when that is set."""

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tinycorpus import write_tiny

pytestmark = [pytest.mark.browser, pytest.mark.real_model]

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
if not (CHROMIUM and CHROMEDRIVER):
    pytest.skip("needs Debian chromium and chromium-driver (apt-get install chromium chromium-driver)",
                allow_module_level=True)
webdriver = pytest.importorskip("selenium.webdriver", reason="needs selenium (pip install -e '.[test]')")
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support import expected_conditions as EC  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def serving(root: Path, **settings: str):
    """`assistant serve` as a user starts it, over the tiny corpus in `root`/corpus (extra settings
    as environment variables); builds the index, loads the default model, yields the URL once
    /health answers, and stops the server after."""
    corpus = write_tiny(root / "corpus", summary_encoding="utf-8")
    port = free_port()
    env = dict(os.environ, ASSISTANT_HOME=str(root / "home"), ASSISTANT_CORPUS=str(corpus), **settings)
    for name in ("ASSISTANT_EMBEDDING_MODEL", "ASSISTANT_API_KEY"):
        if name not in settings:
            env.pop(name, None)
    log = (root / "serve.log").open("w")
    process = subprocess.Popen([sys.executable, "-m", "assistant.cli", "serve", "--host", "127.0.0.1", "--port",
                                str(port), "--log-level", "warning"], env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300
        while True:
            assert process.poll() is None, (root / "serve.log").read_text()
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "the server did not answer /health in time"
            time.sleep(0.3)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with serving(tmp_path_factory.mktemp("serve")) as url:
        yield url


@pytest.fixture
def browser(tmp_path):
    os.environ.setdefault("SE_OFFLINE", "true")  # selenium must never try to fetch a driver
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--window-size=1280,1000", "--lang=zh-CN",
                 f"--user-data-dir={tmp_path / 'chromium-profile'}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path=CHROMEDRIVER))
    try:
        yield driver
    finally:
        driver.quit()


def save(driver, tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    assert driver.save_screenshot(str(path)) and path.stat().st_size > 10_000
    extra = os.environ.get("ASSISTANT_SCREENSHOTS")
    if extra:
        Path(extra).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(extra) / name)
    return path


def ask(driver, question: str, answers_before: int):
    box = driver.find_element(By.ID, "question")
    box.send_keys(question)
    box.send_keys(Keys.ENTER)
    wait = WebDriverWait(driver, 60)
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, ".msg.bot")) > answers_before)
    wait.until(EC.element_to_be_clickable((By.ID, "send")))
    return driver.find_elements(By.CSS_SELECTOR, ".msg.bot")[-1]


def test_chat_page_answers_cites_and_keeps_the_conversation(server, browser, tmp_path):
    browser.get(server + "/")
    assert browser.title == "义务教育均衡发展资料助手"

    answer = ask(browser, "A2保障机制组要准备哪些材料?", 0)
    text = answer.find_element(By.CSS_SELECTOR, ".answer-text").text
    assert "学校财务管理制度" in text and "工资花名册" in text and "绩效工资" not in text
    citations = answer.find_elements(By.CSS_SELECTOR, ".citation")
    assert citations and citations[0].find_element(By.CSS_SELECTOR, ".cite-n").text == "[1]"

    first = citations[0]
    details = first.find_element(By.TAG_NAME, "details")
    passage = first.find_element(By.CSS_SELECTOR, ".passage")
    assert details.get_attribute("open") is None and not passage.is_displayed()
    first.find_element(By.TAG_NAME, "summary").click()
    WebDriverWait(browser, 5).until(lambda d: passage.is_displayed())
    assert "2.A2保障机制组" in passage.text and "生均公用经费统计表" in passage.text
    assert "2.A2保障机制组" in first.find_element(By.CSS_SELECTOR, ".meta-section").text
    assert "plan.txt 第8–9行" in first.find_element(By.CSS_SELECTOR, ".meta-lines").text
    link = first.find_element(By.CSS_SELECTOR, "a.open-doc").get_attribute("href")
    assert link == f"{server}/documents/plan-txt-01?start=8&end=9#cited"
    save(browser, tmp_path, "issue6-chat.png")

    second = ask(browser, "那A3组呢?", 1)
    assert "A3组要准备哪些材料?" in second.find_element(By.CSS_SELECTOR, ".resolved").text
    second_text = second.find_element(By.CSS_SELECTOR, ".answer-text").text
    assert "绩效工资实施方案" in second_text and "工资花名册" not in second_text
    second.find_element(By.CSS_SELECTOR, ".answer-text .ref").click()  # [1] opens citation 1
    WebDriverWait(browser, 5).until(lambda d: second.find_element(By.TAG_NAME, "details").get_attribute("open") is not None)

    missing = ask(browser, "学校食堂的菜价是多少?", 2)
    assert "not-found" in missing.find_element(By.CSS_SELECTOR, ".answer").get_attribute("class")
    assert "未找到答案" in missing.find_element(By.CSS_SELECTOR, ".badge").text
    assert "最接近的段落(不是答案)" in missing.text
    save(browser, tmp_path, "issue6-conversation.png")

    browser.get(link)
    cited = browser.find_elements(By.CSS_SELECTOR, ".line.cited")
    assert [line.get_attribute("id") for line in cited] == ["L8", "L9"]
    assert "2.A2保障机制组 组长:李二" in cited[0].text and cited[0].is_displayed()
    save(browser, tmp_path, "issue6-document.png")

    problems = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert not problems, problems


def test_the_scope_limits_the_answer_to_the_chosen_documents_and_stays_with_its_conversation(server, browser, tmp_path):
    from selenium.webdriver.support.ui import Select

    browser.get(server + "/")
    browser.find_element(By.CSS_SELECTOR, "#scope summary").click()
    kind = Select(browser.find_element(By.ID, "scope-kind"))
    kind.select_by_value("summary")
    assert "工作总结" in browser.find_element(By.ID, "scope-summary").text
    save(browser, tmp_path, "chat-scope.png")
    answer = ask(browser, "有哪些工作?", 0)
    sources = [c.find_element(By.CSS_SELECTOR, ".meta-lines").get_attribute("textContent")
               for c in answer.find_elements(By.CSS_SELECTOR, ".citation")]
    assert sources and all("summary.txt" in s for s in sources), sources

    since = browser.find_element(By.ID, "scope-since")
    since.send_keys("20x")  # not a year: said at the field, nothing sent, the question kept
    box = browser.find_element(By.ID, "question")
    box.send_keys("还有呢?")
    box.send_keys(Keys.ENTER)
    time.sleep(0.5)
    assert len(browser.find_elements(By.CSS_SELECTOR, ".msg.bot")) == 1
    assert browser.execute_script("return !arguments[0].checkValidity()", since) and box.get_attribute("value") == "还有呢?"
    since.clear()
    box.clear()

    browser.find_element(By.ID, "new-chat").click()  # a new conversation starts unscoped
    assert kind.first_selected_option.get_attribute("value") == "" and not browser.find_element(By.ID, "scope-summary").text
    browser.find_element(By.CSS_SELECTOR, "#conversation-list .open-conversation").click()  # the list shows at this width
    assert Select(browser.find_element(By.ID, "scope-kind")).first_selected_option.get_attribute("value") == "summary"
