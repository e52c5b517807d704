"""Vocabularies and modelling assumptions of the synthetic micro records.

Everything here is a stated assumption about structure (which industries exist, how names
look, how ownership and categories mix), never a statistic the records are checked against:
magnitudes come from the real panel, the published Northeast facts from seed 002 live in
``generate_micro.Calibration``.
"""

from __future__ import annotations

import numpy as np

SYNTHETIC_PREFIX = "合成样本·"

# --- GB/T 4754-2017 industry classes (4 digits) ----------------------------------------------
# Equipment manufacturing = divisions 33-40. Every code is a class of the 2017 edition
# (e.g. 3611/3612 replaced the 2011 edition's 3610). Word = what goes into a firm's name.
# Weight = relative frequency among the sample's equipment (or other) firms.
EQUIPMENT_CLASSES = (
    ("3311", "钢结构", 3),
    ("3321", "刃具", 2),
    ("3360", "热处理", 2),
    ("3391", "铸造", 3),
    ("3411", "锅炉", 3),
    ("3412", "内燃机", 2),
    ("3413", "汽轮机", 2),
    ("3415", "风电装备", 2),
    ("3421", "机床", 4),
    ("3422", "锻压机床", 2),
    ("3424", "焊接装备", 2),
    ("3441", "泵业", 3),
    ("3443", "阀门", 3),
    ("3444", "液压", 2),
    ("3451", "轴承", 3),
    ("3453", "齿轮", 3),
    ("3484", "机械零部件", 4),
    ("3491", "工业机器人", 2),
    ("3493", "增材制造", 1),
    ("3511", "矿山机械", 3),
    ("3512", "石油装备", 2),
    ("3514", "工程机械", 3),
    ("3516", "冶金装备", 2),
    ("3521", "化工装备", 2),
    ("3525", "模具", 3),
    ("3562", "半导体装备", 1),
    ("3572", "农业机械", 3),
    ("3581", "医疗设备", 2),
    ("3611", "汽车", 2),
    ("3612", "新能源汽车", 2),
    ("3620", "发动机", 1),
    ("3670", "汽车零部件", 6),
    ("3711", "高铁装备", 1),
    ("3715", "机车配件", 2),
    ("3720", "轨道交通装备", 2),
    ("3731", "船舶", 2),
    ("3734", "船用设备", 2),
    ("3737", "海洋工程装备", 1),
    ("3741", "飞机", 1),
    ("3744", "航空装备", 2),
    ("3811", "发电设备", 2),
    ("3812", "电机", 3),
    ("3821", "变压器", 2),
    ("3823", "电气", 3),
    ("3825", "光伏设备", 2),
    ("3831", "电缆", 2),
    ("3841", "锂电", 2),
    ("3911", "计算机", 1),
    ("3914", "工控系统", 2),
    ("3921", "通信设备", 2),
    ("3973", "集成电路", 1),
    ("3982", "电路板", 2),
    ("3983", "传感器", 2),
    ("4011", "自动化仪表", 3),
    ("4014", "分析仪器", 2),
    ("4028", "电子测量仪器", 1),
    ("4040", "光学仪器", 1),
)
OTHER_CLASSES = (
    ("1311", "粮油", 3),
    ("1512", "酒业", 2),
    ("1713", "纺织印染", 2),
    ("2221", "纸业", 2),
    ("2511", "石化", 3),
    ("2614", "化工", 4),
    ("2651", "新材料", 3),
    ("2710", "制药", 2),
    ("2720", "药业", 3),
    ("2740", "中药", 2),
    ("3011", "水泥", 2),
    ("3110", "钢铁", 2),
    ("3130", "钢材", 3),
    ("3216", "铝业", 2),
    ("3252", "铝材", 2),
)
INDUSTRY_CODES = np.array([c for c, _, _ in EQUIPMENT_CLASSES + OTHER_CLASSES])
INDUSTRY_WORDS = np.array([w for _, w, _ in EQUIPMENT_CLASSES + OTHER_CLASSES])
INDUSTRY_IS_EQUIPMENT = np.array([True] * len(EQUIPMENT_CLASSES) + [False] * len(OTHER_CLASSES))
EQUIPMENT_CLASS_WEIGHTS = np.array([w for _, _, w in EQUIPMENT_CLASSES], dtype=float)
OTHER_CLASS_WEIGHTS = np.array([w for _, _, w in OTHER_CLASSES], dtype=float)

# Share of equipment-manufacturing firms among sample firms: the Northeast's industrial base
# is equipment-heavy (seeds 000-002), elsewhere the mix is broader.
EQUIPMENT_SHARE_NORTHEAST = 0.55
EQUIPMENT_SHARE_ELSEWHERE = 0.38

# --- ownership ---------------------------------------------------------------------------------
OWNERSHIP = np.array(["central_soe", "local_soe", "private", "foreign", "other"])
CENTRAL_SOE, LOCAL_SOE, PRIVATE, FOREIGN, OTHER_OWNERSHIP = range(5)
# Central SOEs (the chain leaders of seed 002) weigh more in the Northeast's old industrial base.
OWNERSHIP_MIX_NORTHEAST = np.array([0.07, 0.13, 0.68, 0.07, 0.05])
OWNERSHIP_MIX_ELSEWHERE = np.array([0.03, 0.09, 0.74, 0.09, 0.05])
# Log-size premium: state and foreign firms are larger on average.
OWNERSHIP_LOG_SIZE_SHIFT = np.array([1.6, 0.8, 0.0, 0.5, -0.2])

TRADE_NAMES = np.array(
    [
        "精工",
        "华兴",
        "恒达",
        "北方",
        "远航",
        "龙腾",
        "新锐",
        "天成",
        "宏图",
        "鑫源",
        "博远",
        "瑞丰",
        "盛世",
        "金桥",
        "启航",
        "中科",
        "正泰",
        "昌盛",
        "永安",
        "银河",
        "凯达",
        "海昌",
        "信诚",
        "嘉禾",
    ]
)

# --- patents -----------------------------------------------------------------------------------
PATENT_TYPES = np.array(["invention", "utility_model", "design"])
INVENTION, UTILITY_MODEL, DESIGN = range(3)
PATENT_TYPE_DIGIT = np.array([1, 2, 3])
APPLICANT_TYPES = np.array(["enterprise", "university", "institute", "individual"])
ENTERPRISE, UNIVERSITY, INSTITUTE, INDIVIDUAL = range(4)
# First-applicant mix by patent type (rows: invention, utility model, design).
APPLICANT_MIX = np.array(
    [
        [0.64, 0.24, 0.07, 0.05],
        [0.79, 0.07, 0.03, 0.11],
        [0.72, 0.01, 0.005, 0.265],
    ]
)
# Probability of a co-applicant by first-applicant type, and the co-applicant's type mix.
CO_APPLICANT_RATE = np.array([0.08, 0.22, 0.28, 0.04])
CO_APPLICANT_MIX = np.array(
    [
        [0.30, 0.45, 0.20, 0.05],  # enterprise first: industry-university-research ties dominate
        [0.70, 0.18, 0.12, 0.00],
        [0.65, 0.25, 0.10, 0.00],
        [0.40, 0.00, 0.00, 0.60],
    ]
)
# Grant lag in years: lognormal median, sigma, and clip bounds (inventions are examined in
# substance, utility models and designs only formally).
GRANT_LAG_YEARS = {
    INVENTION: (1.9, 0.35, 0.5, 4.0),
    UTILITY_MODEL: (0.55, 0.35, 0.25, 1.5),
    DESIGN: (0.4, 0.35, 0.15, 1.0),
}
# Non-invention grants split between utility models and designs when the panel has neither.
UTILITY_SHARE_OF_NON_INVENTION = 0.75
# Expected transfer events per granted patent per year since grant, by applicant type; the
# province's technology-market turnover / GDP (relative to national) scales it.
TRANSFER_RATE_PER_YEAR = np.array([0.012, 0.020, 0.015, 0.010])
LICENCE_SHARE_OF_TRANSFERS = 0.3

UNIVERSITY_SUFFIXES = np.array(
    ["大学", "理工大学", "工业大学", "科技大学", "交通大学", "师范大学", "农业大学", "医科大学"]
)
INSTITUTE_SUFFIXES = np.array(
    ["机械研究院", "自动化研究所", "材料研究所", "化工研究院", "电力科学研究院", "农业科学院"]
)

# IPC subclasses. Equipment-leaning ones carry the brief's list (B21-B30, F15-F16, G05B, H02K,
# B60-B64); general ones cover the rest of a province's patenting.
EQUIPMENT_IPC = np.array(
    [
        "B21D",
        "B21J",
        "B22D",
        "B22F",
        "B23K",
        "B23P",
        "B23Q",
        "B24B",
        "B25J",
        "B26D",
        "B28B",
        "B29C",
        "B30B",
        "F15B",
        "F16B",
        "F16C",
        "F16H",
        "F16K",
        "F16L",
        "G05B",
        "H02K",
        "B60L",
        "B60K",
        "B61D",
        "B62D",
        "B63B",
        "B64C",
        "B64D",
    ]
)
GENERAL_IPC = np.array(
    [
        "A01B",
        "A23L",
        "A47J",
        "A61B",
        "A61K",
        "B01D",
        "B65D",
        "B65G",
        "C02F",
        "C07D",
        "C08L",
        "C12N",
        "E02D",
        "E04B",
        "E21B",
        "F24F",
        "G01N",
        "G01R",
        "G06F",
        "G06N",
        "G06Q",
        "G06T",
        "H01L",
        "H01M",
        "H02J",
        "H04L",
        "H04N",
        "H04W",
        "H05K",
    ]
)
IPC_SUBCLASSES = np.concatenate([EQUIPMENT_IPC, GENERAL_IPC])
# Probability that a patent's main class is equipment-leaning, by who files it.
EQUIPMENT_IPC_SHARE_EQUIPMENT_FIRM = 0.8
EQUIPMENT_IPC_SHARE_OTHER = 0.22

# --- procurement -------------------------------------------------------------------------------
BUYER_TYPES = np.array(["government", "central_soe", "local_soe", "private"])
GOVERNMENT, CENTRAL_SOE_BUYER, LOCAL_SOE_BUYER, PRIVATE_BUYER = range(4)
# Share of scale-1 contracts by buyer type.
BUYER_TYPE_SHARES = np.array([0.30, 0.25, 0.15, 0.30])
CATEGORIES = np.array(["equipment", "parts", "materials", "services", "works"])
EQUIPMENT_CATEGORY, PARTS, MATERIALS, SERVICES, WORKS = range(5)
CATEGORY_MIX = np.array(
    [
        [0.30, 0.02, 0.08, 0.35, 0.25],  # government
        [0.25, 0.45, 0.15, 0.10, 0.05],  # central SOE chain leaders buy parts above all
        [0.30, 0.25, 0.20, 0.10, 0.15],
        [0.20, 0.35, 0.30, 0.15, 0.00],
    ]
)
# Contract amount (元): lognormal median by category, common sigma.
CATEGORY_MEDIAN_AMOUNT = np.array([1.2e6, 3.0e5, 4.0e5, 2.0e5, 3.0e6])
AMOUNT_SIGMA = 1.0
# Local-supplier probability for buyers other than central SOEs.
LOCAL_SUPPLIER_RATE = np.array([0.75, np.nan, 0.65, 0.55])
INNOVATIVE_PRODUCT_RATE = 0.06  # equipment/parts bought by government or a chain leader
INNOVATIVE_PRODUCT_RATE_OTHER = 0.01
GOVERNMENT_DEPARTMENTS = np.array(
    [
        "工业和信息化厅",
        "科学技术厅",
        "交通运输厅",
        "卫生健康委员会",
        "教育厅",
        "水利厅",
        "自然资源厅",
        "机关事务管理局",
    ]
)
