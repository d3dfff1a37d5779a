"""Reading uploads (encodings, line numbers, headers) and writing safe exports; no database."""

from __future__ import annotations

import codecs

import pytest

from appraisal.core.csv_io import (
    CsvFileError,
    decode_upload,
    neutralise,
    read_table,
    unneutralise,
    write_csv,
)

TEXT = "code,name\nC1,心内科\n"


@pytest.mark.parametrize("data", [
    TEXT.encode("utf-8"),
    codecs.BOM_UTF8 + TEXT.encode("utf-8"),
    TEXT.encode("gb18030"),
    TEXT.encode("gbk"),
    codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"),
    codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"),
], ids=["utf8", "utf8-bom", "gb18030", "gbk", "utf16le", "utf16be"])
def test_decode_reads_what_excel_writes(data):
    assert decode_upload(data) == TEXT


def test_decode_refuses_what_is_not_text():
    with pytest.raises(CsvFileError) as error:
        decode_upload(codecs.BOM_UTF8 + b"\xff\xfe\xfa")
    assert "CSV UTF-8" in str(error.value)


def test_line_numbers_count_the_header_as_line_1_and_follow_multiline_cells():
    table = read_table('a,b\n1,"two\nlines"\n\n3,x\n', ["a", "b"])
    assert [line for line, _ in table.rows] == [2, 5]
    assert table.rows[0][1] == {"a": "1", "b": "two\nlines"}


def test_blank_and_trailing_comma_rows_are_skipped_and_cells_trimmed():
    table = read_table("a,b\r\n , x \r\n,,\r\n", ["a", "b"])
    assert table.rows == [(2, {"a": "", "b": "x"})]


def test_header_is_case_insensitive_in_any_order_and_ignores_extra_columns():
    table = read_table("B,Notes,A\n2,hello,1\n", ["a", "b"])
    assert table.rows == [(2, {"a": "1", "b": "2", "notes": "hello"})]
    assert table.ignored_columns == ["notes"]


@pytest.mark.parametrize("text, message", [
    ("", "The file is empty."),
    ("a,b\n", "The file has a header but no data rows."),
    ("a\n1\n", "lacks the column(s): b"),
    ("a,b,a\n1,2,3\n", "The column a appears twice"),
    ("a,b\n1,\x00\n", "binary data"),
])
def test_unusable_files_are_refused_as_a_whole(text, message):
    with pytest.raises(CsvFileError) as error:
        read_table(text, ["a", "b"])
    assert message in str(error.value)


def test_a_row_with_too_many_values_is_named():
    table = read_table("a,b\n1,2\n1,2,3\n", ["a", "b"])
    assert [error.line for error in table.errors] == [3]
    assert "3 values but the header has 2 columns" in str(table.errors[0].message)


def test_semicolon_and_tab_separated_files_are_read():
    assert read_table("a;b\n1;2\n", ["a", "b"]).rows == [(2, {"a": "1", "b": "2"})]
    assert read_table("a\tb\n1\t2\n", ["a", "b"]).rows == [(2, {"a": "1", "b": "2"})]


@pytest.mark.parametrize("value, expected", [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
    ("+1", "'+1"),
    ("-2+3", "'-2+3"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\tcmd", "'\tcmd"),
    ("\rcmd", "'\rcmd"),
    ("Li Wei", "Li Wei"),
    ("王芳", "王芳"),
    ("", ""),
    (None, ""),
])
def test_neutralise(value, expected):
    assert neutralise(value) == expected


def test_our_own_guard_is_undone_on_import_and_nothing_else():
    assert unneutralise("'=1") == "=1"
    assert unneutralise("'-5") == "-5"
    assert unneutralise("'quoted'") == "'quoted'"


def test_write_csv_has_a_bom_and_neutralised_cells():
    text = write_csv(["name", "title"], [["=cmd|' /C calc'!A0", "王芳"]])
    assert text.startswith("\ufeff")
    assert text.splitlines()[1] == "'=cmd|' /C calc'!A0,王芳"
