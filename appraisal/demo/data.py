"""The demo hospital's shape: divisions, departments, wards and how many staff each unit has.

Names carry English and Chinese (the interface is bilingual; the users are Chinese hospitals).
Pure data: no Flask, no database.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from appraisal.org.models import StaffGroup


@dataclass(frozen=True)
class Staffing:
    """How many people of each staff group work in one unit."""

    doctor: int = 0
    nurse: int = 0
    technician: int = 0
    pharmacist: int = 0
    admin: int = 0

    def counts(self) -> list[tuple[StaffGroup, int]]:
        return [(group, getattr(self, group.value)) for group in StaffGroup]


@dataclass(frozen=True)
class Unit:
    """A department (or, among ``wards``, a ward or team) with its own staff."""

    code: str
    name: str
    staffing: Staffing
    wards: tuple[Unit, ...] = field(default=())


@dataclass(frozen=True)
class Division:
    """A division of the hospital; administrative divisions have directors, not secretaries."""

    code: str
    name: str
    departments: tuple[Unit, ...]
    clinical: bool = True


S = Staffing

HOSPITAL_CODE = "RPH"
HOSPITAL_NAME = "Riverside People's Hospital 滨江人民医院"

DIVISIONS: tuple[Division, ...] = (
    Division("IM", "Internal Medicine 内科", (
        Unit("IM-CARD", "Cardiology 心血管内科", S(8, 2, 1, 0, 1), (
            Unit("IM-CARD-W1", "Cardiology Ward 1 心内一病区", S(2, 12)),
            Unit("IM-CARD-CCU", "Coronary Care Unit 冠心病监护室", S(1, 8)),
            Unit("IM-CARD-CATH", "Catheterisation Lab 导管室", S(0, 2, 3)),
        )),
        Unit("IM-ENDO", "Endocrinology 内分泌科", S(6, 10, 0, 0, 1)),
        Unit("IM-RESP", "Respiratory & Critical Care Medicine 呼吸与危重症医学科", S(6, 4, 1), (
            Unit("IM-RESP-W1", "Respiratory Ward 呼吸病区", S(1, 12)),
        )),
        Unit("IM-GAST", "Gastroenterology 消化内科", S(6, 4, 0, 0, 1), (
            Unit("IM-GAST-ENDO", "Endoscopy Centre 内镜中心", S(2, 6, 2)),
        )),
        Unit("IM-NEPH", "Nephrology 肾内科", S(5, 4), (
            Unit("IM-NEPH-HD", "Haemodialysis Unit 血液透析室", S(1, 10, 2)),
        )),
        Unit("IM-NEUR", "Neurology 神经内科", S(6, 12, 1)),
    )),
    Division("SUR", "Surgery 外科", (
        Unit("SUR-GEN", "General Surgery 普通外科", S(4, 4, 0, 0, 1), (
            Unit("SUR-GEN-HB", "Hepatobiliary Surgery Team 肝胆外科组", S(5, 10)),
            Unit("SUR-GEN-GI", "Gastrointestinal Surgery Team 胃肠外科组", S(5, 10)),
        )),
        Unit("SUR-ORTH", "Orthopaedics 骨科", S(3, 4, 0, 0, 1), (
            Unit("SUR-ORTH-SP", "Spine Surgery Team 脊柱外科组", S(4, 8)),
            Unit("SUR-ORTH-JT", "Joint Surgery Team 关节外科组", S(4, 8)),
        )),
        Unit("SUR-NEUR", "Neurosurgery 神经外科", S(7, 14)),
        Unit("SUR-UROL", "Urology 泌尿外科", S(6, 10, 1)),
    )),
    Division("ECC", "Emergency & Critical Care 急诊与重症医学部", (
        Unit("ECC-EMER", "Emergency Medicine 急诊科", S(10, 14, 0, 0, 1), (
            Unit("ECC-EMER-OBS", "Emergency Observation Unit 急诊留观室", S(1, 8)),
        )),
        Unit("ECC-ICU", "Intensive Care Unit 重症医学科", S(8, 24, 1)),
        Unit("ECC-ANES", "Anaesthesiology 麻醉科", S(10, 4, 1, 0, 1), (
            Unit("ECC-ANES-OR", "Operating Theatres 手术室", S(0, 20, 2)),
        )),
    )),
    Division("WCH", "Women & Children 妇女儿童医学部", (
        Unit("WCH-OBGY", "Obstetrics & Gynaecology 妇产科", S(8, 6, 0, 0, 1), (
            Unit("WCH-OBGY-LD", "Labour & Delivery 产房", S(1, 10)),
        )),
        Unit("WCH-PAED", "Paediatrics 儿科", S(8, 10, 0, 0, 1), (
            Unit("WCH-PAED-NICU", "Neonatal Intensive Care Unit 新生儿重症监护室", S(2, 12)),
        )),
    )),
    Division("MT", "Medical Technology 医技部", (
        Unit("MT-RAD", "Radiology 放射科", S(8, 4, 12, 0, 1)),
        Unit("MT-US", "Ultrasound 超声医学科", S(6, 2, 3)),
        Unit("MT-LAB", "Clinical Laboratory 检验科", S(1, 0, 18, 0, 1)),
        Unit("MT-PATH", "Pathology 病理科", S(4, 0, 6)),
        Unit("MT-PHAR", "Pharmacy 药学部", S(0, 0, 0, 6, 1), (
            Unit("MT-PHAR-IP", "Inpatient Pharmacy 住院药房", S(0, 0, 0, 8)),
            Unit("MT-PHAR-CP", "Clinical Pharmacy Team 临床药学组", S(0, 0, 0, 5)),
        )),
    )),
    Division("ADM", "Administration 行政职能部门", (
        Unit("ADM-PERF", "Performance Office 绩效考核办公室", S(0, 0, 0, 0, 5)),
        Unit("ADM-MED", "Medical Affairs 医务处", S(1, 0, 0, 0, 5)),
        Unit("ADM-NURS", "Nursing Department 护理部", S(0, 5, 0, 0, 2)),
        Unit("ADM-HR", "Human Resources 人力资源处", S(0, 0, 0, 0, 5)),
        Unit("ADM-FIN", "Finance 财务处", S(0, 0, 0, 0, 6)),
        Unit("ADM-IT", "Information Centre 信息中心", S(0, 0, 0, 0, 5)),
    ), clinical=False),
)

@dataclass(frozen=True)
class Title:
    """A professional title (职称), how often it occurs and the years its holders were hired."""

    name: str
    weight: int
    hired_from: int
    hired_to: int


# Per staff group, the head's title first (the first of a group in a unit that has at least
# HEAD_FROM of them holds it), then every title with a weight that gives the usual pyramid.
T = Title
TITLES: dict[StaffGroup, tuple[Title, ...]] = {
    StaffGroup.doctor: (
        T("Chief Physician 主任医师", 8, 1990, 2008),
        T("Associate Chief Physician 副主任医师", 22, 1998, 2013),
        T("Attending Physician 主治医师", 38, 2008, 2019),
        T("Resident Physician 住院医师", 32, 2017, 2025),
    ),
    StaffGroup.nurse: (
        T("Head Nurse 护士长", 0, 1995, 2012),
        T("Associate Chief Nurse 副主任护师", 5, 1995, 2010),
        T("Supervising Nurse 主管护师", 30, 2005, 2017),
        T("Senior Nurse 护师", 35, 2012, 2021),
        T("Nurse 护士", 30, 2018, 2025),
    ),
    StaffGroup.technician: (
        T("Chief Technician 主任技师", 5, 1992, 2008),
        T("Associate Chief Technician 副主任技师", 12, 1998, 2012),
        T("Supervising Technician 主管技师", 33, 2005, 2018),
        T("Senior Technician 技师", 32, 2012, 2022),
        T("Technician 技士", 18, 2018, 2025),
    ),
    StaffGroup.pharmacist: (
        T("Chief Pharmacist 主任药师", 5, 1992, 2008),
        T("Associate Chief Pharmacist 副主任药师", 12, 1998, 2012),
        T("Supervising Pharmacist 主管药师", 33, 2005, 2018),
        T("Pharmacist 药师", 32, 2012, 2022),
        T("Assistant Pharmacist 药士", 18, 2018, 2025),
    ),
    StaffGroup.admin: (
        T("Office Director 办公室主任", 0, 1995, 2012),
        T("Deputy Director 副主任", 8, 2000, 2015),
        T("Senior Officer 主管", 30, 2005, 2019),
        T("Officer 科员", 42, 2012, 2024),
        T("Clerk 办事员", 20, 2019, 2025),
    ),
}
HEAD_FROM = 3
# In a clinical department the one administrator is its secretary, not a director.
DEPARTMENT_SECRETARY = T("Department Secretary 科室秘书", 0, 2008, 2024)

# The share of women per staff group, for choosing given names.
FEMALE_SHARE = {
    StaffGroup.doctor: 0.45,
    StaffGroup.nurse: 0.93,
    StaffGroup.technician: 0.5,
    StaffGroup.pharmacist: 0.6,
    StaffGroup.admin: 0.6,
}

# The commonest Chinese surnames, most frequent first (weights roughly follow frequency).
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶"
    "程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾"
    "毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN_MALE = ("建国伟强军磊涛明超勇杰鹏浩宇斌辉刚峰毅俊波鑫凯博文"
              "华志林海东晨航昊睿泽哲健立诚德成振永江旭亮平忠")
GIVEN_FEMALE = ("丽娟敏静婷芳燕霞玲秀慧晶雪琳颖洁梅莉倩欣怡悦萍红"
                "兰薇佳雯蕾璐丹妍婧瑶琪露彤馨月春岚晓")
GIVEN_EITHER = "子一安宁思嘉雨晓清新云文明"
