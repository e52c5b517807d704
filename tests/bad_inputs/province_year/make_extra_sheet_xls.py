"""Writes nbs_extra_sheet.xls: an NBS "分省年度数据" Excel export (format variant B) on the
first sheet, plus a second sheet a person added (notes and a scratch formula result).

The reader reads the first sheet only and says which sheets it ignored; the file is accepted.
The .xls is committed; this script documents how it was made. xlwt (the only maintained
writer of BIFF8 .xls) is not a project dependency, so run it from a throwaway venv:

    uv venv /tmp/xlwt-env && uv pip install --python /tmp/xlwt-env/bin/python xlwt
    /tmp/xlwt-env/bin/python tests/bad_inputs/province_year/make_extra_sheet_xls.py
"""

from pathlib import Path

import xlwt

NBS_ROWS = [
    ["数据库：分省年度数据"],
    ["指标：地区生产总值(亿元)"],
    ["时间：最近2年"],
    ["地区", "2021年", "2020年"],
    ["北京市", 40269.6, 36102.6],
    ["辽宁省", 27584.1, 25115.0],
    ["注：本表按当年价格计算。"],
    ["数据来源：国家统计局"],
]
OTHER_ROWS = [["备注", "整理人自用，不是数据"], ["合计", 67853.7]]


def write_sheet(book: xlwt.Workbook, name: str, rows: list[list]) -> None:
    sheet = book.add_sheet(name)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            sheet.write(r, c, value)


def main() -> None:
    book = xlwt.Workbook(encoding="utf-8")
    write_sheet(book, "分省年度数据", NBS_ROWS)
    write_sheet(book, "我的笔记", OTHER_ROWS)
    book.save(str(Path(__file__).with_name("nbs_extra_sheet.xls")))


if __name__ == "__main__":
    main()
