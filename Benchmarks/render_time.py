#!/usr/bin/env python3
"""Opens a saved HTML report in headless Chromium (Debian's, via Selenium) and prints how long
it took to render: navigation start to the end of the load event, after a forced layout.

    python3 Benchmarks/render_time.py REPORT.html
"""
import os
import sys

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

options = webdriver.ChromeOptions()
options.binary_location = "/usr/bin/chromium"
for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"):
    options.add_argument(flag)
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
try:
    driver.get("file://" + os.path.abspath(sys.argv[1]))
    cells = driver.execute_script("document.body.getBoundingClientRect(); return document.querySelectorAll('g.cells > rect').length")
    ms = driver.execute_script("const t = performance.getEntriesByType('navigation')[0]; return t.loadEventEnd - t.startTime")
    print("rendered %d cells in %.0f ms (navigation start to load end)" % (cells, ms))
finally:
    driver.quit()
