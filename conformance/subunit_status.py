"""Run with Tempest's python: a subunit v2 stream on stdin, one
`status test-id` line per test on stdout (the last status a test got),
with ` :: reason` after a skipped test."""
import sys

import subunit
import testtools


def main():
    final, reasons = {}, {}

    def record(test):
        if test["status"] in ("success", "fail", "skip", "xfail", "uxsuccess"):
            final[test["id"]] = test["status"]
        if test["status"] == "skip" and "reason" in test["details"]:
            reasons[test["id"]] = test["details"]["reason"].as_text().strip().replace("\n", " ")

    stream = subunit.ByteStreamToStreamResult(sys.stdin.buffer, non_subunit_name="stdout")
    result = testtools.StreamToDict(record)
    result.startTestRun()
    try:
        stream.run(result)
    finally:
        result.stopTestRun()
    for test_id, status in sorted(final.items()):
        reason = f" :: {reasons[test_id]}" if test_id in reasons else ""
        print(f"{status} {test_id}{reason}")


if __name__ == "__main__":
    main()
