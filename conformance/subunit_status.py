"""Run with Tempest's python: a subunit v2 stream on stdin, one
`status test-id` line per test on stdout (the last status a test got)."""
import sys

import subunit
import testtools


def main():
    final = {}

    def record(test):
        if test["status"] in ("success", "fail", "skip", "xfail", "uxsuccess"):
            final[test["id"]] = test["status"]

    stream = subunit.ByteStreamToStreamResult(sys.stdin.buffer, non_subunit_name="stdout")
    result = testtools.StreamToDict(record)
    result.startTestRun()
    try:
        stream.run(result)
    finally:
        result.stopTestRun()
    for test_id, status in sorted(final.items()):
        print(f"{status} {test_id}")


if __name__ == "__main__":
    main()
