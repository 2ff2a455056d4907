"""The entity rules' pattern families (issue 14), each on invented sentences: left edges that stop at
context, zones named through their bodies or inside project names, projects named in enumerations,
and zone suffixes."""

from __future__ import annotations

from kg.build.process import process_raw
from kg.model import RawDoc


def entities_of(text: str) -> dict[str, str]:
    res = process_raw(RawDoc(doc="t.txt", path="t.txt", text=text))
    return {e.name: e.type for e in res.entities}


def test_role_nouns_and_descriptors_do_not_start_a_name() -> None:
    found = entities_of("据悉，项目运营方湖南青禾产业发展有限公司已完成注册。")
    assert found.get("湖南青禾产业发展有限公司") == "Company", found
    assert not any(n.startswith(("项目", "运营")) for n in found), found
    found = entities_of("绵阳高新区管委会直属国有企业绵科投资集团负责园区运营。")
    assert found.get("绵科投资集团") == "Company", found
    assert found.get("绵阳高新区管委会") == "Government", found


def test_verbs_before_a_name_end_its_left_edge() -> None:
    found = entities_of("5个项目的开工，标志着鹰潭铜材精深加工产业园正式开园。")
    assert "鹰潭铜材精深加工产业园" in found and not any(n.startswith("标志") for n in found), found
    found = entities_of("该项目最终落子南昌青山湖科技园，并将扎根景德镇陶瓷科技园。")
    assert found.get("南昌青山湖科技园") == "Park" and found.get("景德镇陶瓷科技园") == "Park", found
    found = entities_of("市委书记赴宜兴高新区调研。")
    assert found.get("宜兴高新区") == "Park", found
    found = entities_of("双方将共同建设江汉大学智能制造研究院。")
    assert found.get("江汉大学智能制造研究院") == "Institute", found
    assert not any(n.startswith("建设") for n in found), found


def test_an_action_verb_stays_inside_a_registered_company_or_a_field() -> None:
    found = entities_of("江西赣江投资建设有限公司与园区签约。")
    assert found.get("江西赣江投资建设有限公司") == "Company", found
    found = entities_of("深圳云帆智能科技集团武汉研发总部落户光谷。")
    assert "深圳云帆智能科技集团武汉研发总部" in found, found


def test_a_zone_named_through_its_body_is_mentioned() -> None:
    found = entities_of("会上，宜宾高新区党工委书记作了讲话。")
    assert found.get("宜宾高新区党工委") == "Government" and found.get("宜宾高新区") == "Park", found
    found = entities_of("湛江经开区投资促进局发布了招商政策。")
    assert found.get("湛江经开区") == "Park", found


def test_a_zone_inside_a_project_name_is_mentioned_too() -> None:
    found = entities_of("昨日，无锡高新区智能传感产业园二期项目开工。")
    assert found.get("无锡高新区智能传感产业园二期项目") == "Project", found
    assert found.get("无锡高新区") == "Park", found
    found = entities_of("昨日，晨光口腔健康产业园项目开工。")  # the 产业园 is the project, not another park
    assert not any(t == "Park" for t in found.values()), found


def test_items_of_an_enumeration_called_projects() -> None:
    found = entities_of("东湖街道安置房、金湖第二实验小学、滨江大道改造工程等12个重大民生项目集中开工。")
    assert {"东湖街道安置房", "金湖第二实验小学", "滨江大道改造工程"} <= {
        n for n, t in found.items() if t == "Project"
    }, found
    found = entities_of("芯跃、锐晶等重大项目相继落地。")  # short trade names: the companies behind
    assert found.get("芯跃") == "Company" and found.get("锐晶") == "Company", found


def test_projects_opened_by_a_build_verb_or_includes() -> None:
    found = entities_of("万科集团计划在惠州投资建设万科华南区域总部、万科智慧物流中心以及万科东江研发基地。")
    assert {"万科华南区域总部", "万科智慧物流中心", "万科东江研发基地"} <= {
        n for n, t in found.items() if t == "Project"
    }, found
    assert "万科集团计划" not in found, found
    found = entities_of("签约项目包括总投资12亿元的青禾新材料年产5万吨锂电隔膜项目、蓝海医疗器械生产基地等。")
    assert found.get("青禾新材料年产5万吨锂电隔膜项目") == "Project", found
    assert not any(n.startswith("总投资") for n in found), found


def test_parks_being_built_stay_parks() -> None:
    found = entities_of("首批重点建设红谷人工智能产业园、赣江北斗产业园等特色产业园。")
    assert found.get("红谷人工智能产业园") == "Park" and found.get("赣江北斗产业园") == "Park", found


def test_zone_suffixes() -> None:
    found = entities_of("临平新城和良渚新城签约了一批项目，华英食品深加工园区与中国西部智能创新港合作。")
    for name in ("临平新城", "良渚新城", "华英食品深加工园区", "中国西部智能创新港"):
        assert found.get(name) == "Park", (name, found)
    found = entities_of("全市建成智慧园区12个，重庆高新区直管园新增企业30家。")
    assert "智慧园区" not in found, found
    assert found.get("重庆高新区直管园") == "Park", found


def test_ranks_counts_venues_and_roads_are_not_names() -> None:
    found = entities_of("目前，光谷国家级科技企业孵化器达9家，光谷三家孵化器获评优秀，黄石市级科技企业孵化器新增2家。")
    assert not any(t == "Institute" for t in found.values()), found
    found = entities_of("签约仪式在南昌国际会议中心举行，助力打造区域中心城市。园区东至学院路。")
    assert not any(t in ("Institute", "University") for t in found.values()), found


def test_a_registered_company_keeps_its_trade_name() -> None:
    found = entities_of("南昌瑞拓企业管理有限公司、赣州焕新生物科技有限公司与园区签约。")
    assert found.get("南昌瑞拓企业管理有限公司") == "Company", found
    assert found.get("赣州焕新生物科技有限公司") == "Company", found
    assert "管理有限公司" not in found and "生物科技有限公司" not in found, found


def test_roles_end_a_company_name() -> None:
    found = entities_of("包括新能源车企一级供应商湖北骏拓工业科技股份有限公司投资的零部件项目。")
    assert found.get("湖北骏拓工业科技股份有限公司") == "Company", found
    found = entities_of("赣锋集团常务副总裁李明远、江铜控股集团总裁陈立等嘉宾出席。")
    assert not any(t == "Company" and "总裁" in n for n, t in found.items()), found


def test_bodies_named_by_their_kind() -> None:
    found = entities_of("九江市政协副主席、浔阳区人大常委会主任和九江海关负责人出席，赣江新区工委副书记讲话。")
    for name in ("九江市政协", "浔阳区人大常委会", "九江海关", "赣江新区工委"):
        assert found.get(name) == "Government", (name, found)
    assert found.get("赣江新区") == "Park", found
    found = entities_of("赣州蓉江新区管委会工委委员、副主任出席。")
    assert found.get("赣州蓉江新区管委会") == "Government", found
    assert not any(n.endswith("管委会工委") for n in found), found


def test_a_part_of_a_zone_names_the_zone() -> None:
    found = entities_of("中国(江西)自由贸易试验区九江片区与南昌高新区直管园签约。")
    assert found.get("中国(江西)自由贸易试验区") == "Park", found
    assert found.get("南昌高新区") == "Park", found
    found = entities_of("沈河区(沈河高新区)国际产业园揭牌。")  # a zone in brackets is cut in half by no rule
    assert not any(n.endswith("(沈河高新区") for n in found), found


def test_a_project_named_after_a_place_or_a_park_names_no_company() -> None:
    found = entities_of("赣东科技城项目启动，江西电子-某某航空产业基地项目签约。")
    assert not any(t == "Company" for t in found.values()), found
    found = entities_of("当日，园区龙头企业鼎晟科技二期项目正式开工。")
    assert found.get("鼎晟科技") == "Company", found


def test_university_schools_streets_and_former_names() -> None:
    found = entities_of("南昌大学材料与化学工程学院院长表示，学院位于原九江市职业大学校舍。")
    assert found.get("南昌大学材料与化学工程学院") == "University", found
    assert found.get("九江市职业大学") == "University", found
    assert not any(n.startswith("原") for n in found), found
    found = entities_of("园区北至清华西路，南临北大东门。")
    assert not any(t == "University" for t in found.values()), found


def test_a_project_of_two_parts_and_kinds_of_projects() -> None:
    found = entities_of("总投资8亿元的宏润医药物流及冷链仓储基地项目已签订入区协议。")
    assert found.get("宏润医药物流及冷链仓储基地项目") == "Project", found
    found = entities_of("九江市招商引资项目集中签约，柴桑战略性新兴产业项目开工。")
    assert not any(t == "Project" for t in found.values()), found
    found = entities_of("先后从上海张江、美国硅谷等地引进了20个高新技术项目。")
    assert not any(t == "Project" for t in found.values()), found


def test_the_clause_before_a_closed_list_ends_at_its_verb() -> None:
    found = entities_of("该项目主要建设研发大楼、中试车间、员工公寓及其他辅助用房等项目。")
    assert not any("主要建设" in n for n in found), found


def test_a_province_or_city_bureau_named_by_its_field() -> None:
    found = entities_of("省发展改革委、市科委和省商务厅负责人出席。")
    for name in ("省发展改革委", "市科委", "省商务厅"):
        assert found.get(name) == "Government", (name, found)
    found = entities_of("科技局和财政局联合发文。")
    assert not any(t == "Government" for t in found.values()), found


def test_a_descriptor_after_a_zone_names_the_zone() -> None:
    found = entities_of("东湖国家自主创新示范区特色产业园揭牌，九龙湖人工智能产业园园区情况良好。")
    assert found.get("东湖国家自主创新示范区") == "Park", found
    assert found.get("九龙湖人工智能产业园") == "Park", found
    assert not any(n.endswith(("特色产业园", "园园区")) for n in found), found
    found = entities_of("南昌高新区医药园新增企业10家。")  # a sub-park with its own kind stays whole
    assert found.get("南昌高新区医药园") == "Park", found


def test_numbers_and_measures_before_a_suffix() -> None:
    found = entities_of("园区建成3W孵化器，并签约15GW项目和2000亿元产业园，入选985工程。")
    assert found.get("3W孵化器") == "Institute", found
    assert found.get("985工程") == "Project", found
    assert "15GW项目" not in found and "2000亿元产业园" not in found, found


def test_a_body_before_its_head_s_title_is_no_person() -> None:
    found = entities_of("市委常委、宣传部部长，九江高新区党工委书记林某某出席。")
    assert "宣传部" not in found and found.get("林某某") == "Person", found


def test_a_base_is_not_a_field_joined_into_a_name() -> None:
    found = entities_of("园区建设鄱阳湖生态科创基地和中科院成果转化中心。")
    assert found.get("中科院成果转化中心") == "Institute", found
    assert not any("基地和" in n for n in found), found


def test_an_item_of_common_words_beside_named_companies() -> None:
    found = entities_of("园区已有鸿瑞通信、金田风电、赛诺菲斯等多家知名企业入驻。")
    assert {"鸿瑞通信", "金田风电", "赛诺菲斯"} <= {n for n, t in found.items() if t == "Company"}, found
    found = entities_of("中心提供投融资服务、产权交易等企业服务。")
    assert "投融资服务" not in found and "产权交易" not in found, found


def test_signed_projects_after_a_company_name() -> None:
    found = entities_of("新能智造电池模组生产线、瑞丰光电二期、蓝天新材料研发中心等项目签约落户赣州经开区。")
    projects = {n for n, t in found.items() if t == "Project"}
    assert {"新能智造电池模组生产线", "瑞丰光电二期", "蓝天新材料研发中心"} <= projects, found
    assert found.get("赣州经开区") == "Park", found


def test_a_science_park_run_by_a_university_is_a_park() -> None:
    found = entities_of("赣南科技有限公司与江西理工大学国家大学科技园签署战略合作协议。")
    assert found.get("江西理工大学国家大学科技园") == "Park", found


def test_measure_words_and_phases_inside_a_project_name() -> None:
    found = entities_of("其中，锦程高端家纺面料项目总投资2亿元，云南烨星一期项目已投产。")
    assert found.get("锦程高端家纺面料项目") == "Project", found
    assert found.get("云南烨星一期项目") == "Project", found
    found = entities_of("园区启动“N”个产业化示范工程，引进3家企业研究院。")
    assert not any(n.startswith(("个", "家")) for n in found), found
