"""Static reference data the simulator draws from.

Hand-written because no installed library ships Chinese administrative codes,
mobile prefixes or merchant category codes; the tables are small, public facts
(GB/T 2260 district codes, MIIT number blocks, ISO 18245 MCCs).
"""
from __future__ import annotations

# Common surnames, most frequent first (weights fall off as a Zipf curve).
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任"
    "沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)

# Characters used in given names.
GIVEN_CHARS = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国文辉力鹏宇浩然子涵梓轩欣怡雨萱思博嘉俊一诺晨阳"
    "佳琪婷雪慧颖倩璐琳玉红梅燕萍春海波斌鑫昊天翔志宏峰凯亮龙飞林芬坤晓东立新成彬健永康德荣丹瑶悦蕾薇晶"
)

# (province, city, GB/T 2260 district code, population weight)
REGIONS = (
    ("北京市", "北京市", 110105, 2.2), ("北京市", "北京市", 110108, 1.6),
    ("天津市", "天津市", 120104, 1.4),
    ("河北省", "石家庄市", 130102, 2.4), ("河北省", "保定市", 130602, 2.0), ("河北省", "唐山市", 130202, 1.5),
    ("山西省", "太原市", 140105, 1.8), ("山西省", "大同市", 140213, 1.0),
    ("内蒙古自治区", "呼和浩特市", 150102, 1.2), ("内蒙古自治区", "包头市", 150203, 0.8),
    ("辽宁省", "沈阳市", 210102, 2.0), ("辽宁省", "大连市", 210202, 1.6),
    ("吉林省", "长春市", 220102, 1.5), ("吉林省", "吉林市", 220202, 0.7),
    ("黑龙江省", "哈尔滨市", 230102, 1.8), ("黑龙江省", "大庆市", 230602, 0.7),
    ("上海市", "上海市", 310104, 1.6), ("上海市", "上海市", 310115, 1.9),
    ("江苏省", "南京市", 320102, 2.2), ("江苏省", "苏州市", 320505, 2.6), ("江苏省", "无锡市", 320213, 1.5),
    ("浙江省", "杭州市", 330106, 2.6), ("浙江省", "宁波市", 330203, 1.7), ("浙江省", "温州市", 330302, 1.6),
    ("安徽省", "合肥市", 340102, 2.4), ("安徽省", "芜湖市", 340202, 1.2),
    ("福建省", "福州市", 350102, 1.8), ("福建省", "厦门市", 350203, 1.3),
    ("江西省", "南昌市", 360102, 1.8), ("江西省", "赣州市", 360702, 1.6),
    ("山东省", "济南市", 370102, 2.4), ("山东省", "青岛市", 370202, 2.5), ("山东省", "临沂市", 371302, 2.2),
    ("河南省", "郑州市", 410102, 3.0), ("河南省", "洛阳市", 410302, 1.8), ("河南省", "南阳市", 411302, 2.0),
    ("湖北省", "武汉市", 420102, 3.0), ("湖北省", "宜昌市", 420502, 1.0),
    ("湖南省", "长沙市", 430102, 2.6), ("湖南省", "衡阳市", 430405, 1.6),
    ("广东省", "广州市", 440106, 4.5), ("广东省", "深圳市", 440305, 4.5), ("广东省", "东莞市", 441900, 2.6),
    ("广东省", "佛山市", 440604, 2.4),
    ("广西壮族自治区", "南宁市", 450102, 2.2), ("广西壮族自治区", "柳州市", 450202, 1.2),
    ("海南省", "海口市", 460105, 0.8), ("海南省", "三亚市", 460202, 0.4),
    ("重庆市", "重庆市", 500103, 3.0),
    ("四川省", "成都市", 510104, 5.0), ("四川省", "绵阳市", 510703, 1.3),
    ("贵州省", "贵阳市", 520102, 1.8), ("贵州省", "遵义市", 520302, 1.5),
    ("云南省", "昆明市", 530102, 2.2), ("云南省", "曲靖市", 530302, 1.3),
    ("西藏自治区", "拉萨市", 540102, 0.3),
    ("陕西省", "西安市", 610102, 3.0), ("陕西省", "宝鸡市", 610302, 0.9),
    ("甘肃省", "兰州市", 620102, 1.2), ("甘肃省", "天水市", 620502, 0.8),
    ("青海省", "西宁市", 630102, 0.5),
    ("宁夏回族自治区", "银川市", 640104, 0.6),
    ("新疆维吾尔自治区", "乌鲁木齐市", 650102, 1.4), ("新疆维吾尔自治区", "克拉玛依市", 650202, 0.3),
)

PROVINCES = tuple(dict.fromkeys(r[0] for r in REGIONS))

# Mainland mobile number blocks (first three digits).
MOBILE_PREFIXES = (
    130, 131, 132, 133, 134, 135, 136, 137, 138, 139, 150, 151, 152, 153, 155, 156, 157, 158, 159,
    166, 173, 175, 176, 177, 178, 180, 181, 182, 183, 184, 185, 186, 187, 188, 189, 191, 198, 199,
)

# First octets of address blocks allocated to mainland operators / to cloud hosts.
IP_FIRST_OCTETS = (36, 39, 42, 58, 59, 60, 61, 101, 106, 110, 111, 112, 113, 114, 115, 116, 117, 118,
                   119, 120, 121, 122, 123, 124, 125, 171, 175, 180, 182, 183, 202, 211, 218, 219, 220,
                   221, 222, 223)
PROXY_FIRST_OCTETS = (8, 45, 47, 103, 104, 139, 149, 154, 185)

# Employer names: <city><trade name><industry>有限公司.
TRADE_NAMES = "恒达鑫盛华信博远天成宏图金诚瑞丰永安东方新锐卓越中联佳和顺通启航联创睿智凯旋海纳远景晨光"
INDUSTRIES = ("科技", "贸易", "建筑工程", "物流", "餐饮管理", "电子", "教育咨询", "医疗器械", "汽车服务",
              "纺织", "食品", "物业管理", "商贸", "网络科技", "机械制造")

ENUMS = {
    "purpose": ("consumption", "education", "travel", "medical", "home_improvement", "business",
                "debt_consolidation", "other"),
    "channel": ("app", "web", "partner"),
    "employment": ("employed", "self_employed", "unemployed", "student", "retired"),
    "os": ("android", "ios", "other"),
}

# Merchant categories money is moved to after disbursement: (category, MCC, high_risk).
MERCHANT_CATEGORIES = (
    ("grocery", 5411, False),
    ("restaurants", 5812, False),
    ("electronics", 5732, False),
    ("clothing", 5651, False),
    ("education", 8299, False),
    ("medical", 8062, False),
    ("travel", 4722, False),
    ("building_materials", 5211, False),
    ("wholesale", 5045, False),
    ("utilities", 4900, False),
    ("loan_repayment", 6012, False),
    ("money_transfer", 4829, False),
    ("gambling", 7995, True),
    ("securities", 6211, True),
    ("real_estate", 6513, True),
    ("crypto", 6051, True),
)
HIGH_RISK_CATEGORIES = tuple(c for c, _, risky in MERCHANT_CATEGORIES if risky)

# Ordinary spending per loan purpose: weights over the non-high-risk categories above.
PURPOSE_SPENDING = {
    "consumption": {"grocery": 3, "restaurants": 2, "electronics": 4, "clothing": 3},
    "education": {"education": 8, "electronics": 2},
    "travel": {"travel": 7, "restaurants": 3},
    "medical": {"medical": 9, "grocery": 1},
    "home_improvement": {"building_materials": 8, "electronics": 2},
    "business": {"wholesale": 7, "utilities": 1, "money_transfer": 2},
    "debt_consolidation": {"loan_repayment": 8, "money_transfer": 2},
    "other": {"grocery": 2, "money_transfer": 3, "electronics": 2, "utilities": 1},
}
