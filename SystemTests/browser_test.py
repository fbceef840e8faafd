#!/usr/bin/env python3
"""Drives a real headless Chromium (Debian's, through /usr/bin/chromedriver) against a running
gradcheck-server: opens /, uploads scripts/examples/notebook-buggy.json, presses Check with the
keyboard, waits (bounded) for the report, and checks what a person would see. Then sends a hostile
body and checks the API's detail is shown as text. Then clicks "Load the notebook's buggy
gradients" on a fresh page and sees the report name the lines to fix. Then, as a keyboard-only user on a phone-sized
window: every control is labelled and reached with Tab in reading order, a body typed into the
text area is checked with Enter, and the page and its report fit the narrow screen (no sideways
scrolling of the page; a wide heatmap scrolls inside its own box). Saves a screenshot; prints its
path.

    python3 SystemTests/browser_test.py http://127.0.0.1:PORT SCREENSHOT.png
"""
import os
import sys
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ready
from selenium.webdriver.support.ui import WebDriverWait

EXAMPLES = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts", "examples"))
WAIT_SECONDS = 20


def fail(message):
    print("FAIL: " + message, file=sys.stderr)
    sys.exit(1)


def main():
    base, screenshot = sys.argv[1], sys.argv[2]
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1000,2200"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.set_page_load_timeout(WAIT_SECONDS)
    try:
        started = time.monotonic()
        driver.get(base + "/")
        driver.find_element(By.ID, "body-file").send_keys(os.path.join(EXAMPLES, "notebook-buggy.json"))
        WebDriverWait(driver, WAIT_SECONDS).until(
            lambda d: d.find_element(By.ID, "body-text").get_attribute("value").lstrip().startswith("{"))
        # Keyboard only: focus the button and press Enter.
        button = driver.find_element(By.ID, "check")
        driver.execute_script("arguments[0].focus()", button)
        button.send_keys(Keys.ENTER)
        WebDriverWait(driver, WAIT_SECONDS).until(ready.presence_of_element_located((By.CSS_SELECTOR, "#result #verdict")))
        shown = time.monotonic() - started

        verdict = driver.find_element(By.CSS_SELECTOR, "#result #verdict").text
        if not verdict.startswith("FAILED") or "There is a mistake in the backward propagation!" not in verdict:
            fail("verdict shown is %r" % verdict)
        expected = {"W1": "right", "b1": "wrong", "W2": "wrong", "b2": "right", "W3": "right", "b3": "right"}
        for name, status in expected.items():
            section = driver.find_element(By.ID, "tensor-" + name)
            label = section.find_element(By.CSS_SELECTOR, ".status").text
            if label != status:
                fail("%s is shown as %r, expected %r" % (name, label, status))
        cells = driver.find_elements(By.CSS_SELECTOR, "#heatmap-W2 g.cells > rect")
        if len(cells) != 15:
            fail("W2's heatmap has %d cells, expected 15" % len(cells))
        wrong = driver.find_elements(By.CSS_SELECTOR, "#heatmap-W2 g.cells > rect.wrong")
        tooltip = cells[0].find_element(By.TAG_NAME, "title").get_attribute("textContent")
        if "analytic" not in tooltip or "numeric" not in tooltip:
            fail("W2's first cell has no tooltip with its values: %r" % tooltip)
        driver.save_screenshot(screenshot)
        errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        if errors:
            fail("the browser console has errors (a CSP violation?): %r" % errors)

        # A hostile field name: the API's 422 detail echoes it; the page must show it as text.
        hostile = '{"X": [[1]], "Y": [[1]], "<img src=x onerror=document.title=1>": 1}'
        driver.execute_script("document.getElementById('body-text').value = arguments[0]", hostile)
        button.send_keys(Keys.ENTER)
        WebDriverWait(driver, WAIT_SECONDS).until(ready.visibility_of_element_located((By.ID, "error")))
        detail = driver.find_element(By.ID, "error").text
        if "<img src=x" not in detail:
            fail("the problem's detail is not shown as text: %r" % detail)
        if driver.find_elements(By.CSS_SELECTOR, "#error img") or driver.title == "1":
            fail("the problem's detail became markup")
        example_buttons(driver, base)
        keyboard_and_narrow_screen(driver, base)
        print("browser test passed: report shown %.2f s after opening /; W2 and b1 wrong, the others right; "
              "W2 has 15 cells (%d outlined); a hostile detail stayed text; the notebook's example buttons "
              "show a report with a click; keyboard alone and a 360 px screen work" % (shown, len(wrong)))
        print("screenshot: " + screenshot)
    finally:
        driver.quit()


CONTROLS = ["load-example", "load-buggy", "body-file", "body-text", "method", "mode", "epsilon", "check"]


def example_buttons(driver, base):
    """A first visit: one click on "Load the notebook's buggy gradients" shows the failing report
    with the two lines to fix; "Load the notebook example" then shows a passing one."""
    driver.get_log("browser")  # drop what came before (the hostile body's 422 is logged there)
    driver.get(base + "/")
    driver.find_element(By.ID, "load-buggy").click()
    WebDriverWait(driver, WAIT_SECONDS).until(ready.presence_of_element_located((By.CSS_SELECTOR, "#result #verdict")))
    verdict = driver.find_element(By.CSS_SELECTOR, "#result #verdict").text
    if not verdict.startswith("FAILED"):
        fail("the buggy example's verdict is %r" % verdict)
    report = driver.find_element(By.ID, "result").text
    if "dW2" not in report or "db1" not in report or "multiplies by 4" not in report:
        fail("the buggy example's report does not name the lines to fix: %r" % report[:600])
    if '"dZ1"' not in driver.find_element(By.ID, "body-text").get_attribute("value"):
        fail("the buggy example did not put the notebook's whole gradients dict in the text area")
    driver.find_element(By.ID, "load-example").click()
    WebDriverWait(driver, WAIT_SECONDS).until(
        lambda d: d.find_element(By.CSS_SELECTOR, "#result #verdict").text.startswith("PASSED"))
    errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    if errors:
        fail("the browser console has errors after the example buttons: %r" % errors)


def keyboard_and_narrow_screen(driver, base):
    driver.set_window_size(360, 800)
    driver.get(base + "/")
    for control in CONTROLS:
        labels = driver.find_elements(By.CSS_SELECTOR, 'label[for="%s"]' % control)
        element = driver.find_element(By.ID, control)
        named = labels and labels[0].text.strip() or element.text.strip() or element.get_attribute("aria-label")
        if not named:
            fail("control #%s has no label" % control)
    # Tab from the top of the page: the controls come in reading order, none skipped.
    driver.execute_script("if (document.activeElement) document.activeElement.blur()")
    reached = []
    for _ in range(3 * len(CONTROLS)):
        ActionChains(driver).send_keys(Keys.TAB).perform()
        focused = driver.switch_to.active_element.get_attribute("id")
        if focused in CONTROLS and focused not in reached:
            reached.append(focused)
        if focused == CONTROLS[-1]:
            break
    if reached != CONTROLS:
        fail("Tab reaches %r, expected every control in order %r" % (reached, CONTROLS))
    # Type a body into the text area and press Enter on the button: no mouse anywhere.
    with open(os.path.join(EXAMPLES, "notebook-buggy.json")) as body:
        text = body.read()
    area = driver.find_element(By.ID, "body-text")
    driver.execute_script("arguments[0].focus()", area)
    driver.execute_script("arguments[0].value = arguments[1]", area, text)
    area.send_keys(Keys.TAB)  # leaves the text area for the method select
    driver.switch_to.active_element.send_keys(Keys.TAB, Keys.TAB, Keys.TAB)  # mode, epsilon, Check
    if driver.switch_to.active_element.get_attribute("id") != "check":
        fail("three Tabs after the method select do not reach Check")
    driver.switch_to.active_element.send_keys(Keys.ENTER)
    WebDriverWait(driver, WAIT_SECONDS).until(ready.presence_of_element_located((By.CSS_SELECTOR, "#result #verdict")))
    overflow = driver.execute_script(
        "return [document.documentElement.scrollWidth, window.innerWidth, "
        "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1"
        " && getComputedStyle(e.parentElement).overflowX !== 'auto').map(e => e.tagName + '#' + e.id).slice(0, 5)]")
    if overflow[0] > overflow[1] + 1:
        fail("on a 360 px screen the page is %d px wide (window %d): %r stick out" % tuple(overflow))


if __name__ == "__main__":
    main()
