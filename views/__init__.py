"""One module per audience; register_views puts them into the menus each role sees."""
from flask import current_app
from flask_babel import lazy_gettext as _l

from app.business_types import EXTRA_TYPES, TYPES
from app.i18n import chinese


def register_views(appbuilder):
    from views import admin, applicant, center, enterprise, public, workflow_page

    extra = {code for code in current_app.config["EXTRA_BUSINESS_TYPES"].split(",") if code}
    for view in applicant.TYPE_VIEWS:
        if view.business_type in EXTRA_TYPES and view.business_type not in extra:
            continue
        label = TYPES[view.business_type].label
        # the menu's name is its permission name (app/roles.py): the Chinese source text, never translated
        appbuilder.add_view(view, chinese(label), icon="fa-file-text-o", category="个人业务",
                            category_label=_l("个人业务"), label=label)
    appbuilder.add_view(applicant.ApplicantRegistrationView, "我的注册证书", icon="fa-id-card-o",
                        category="个人业务", label=_l("我的注册证书"))
    from views import identity  # 实人认证 and the verified phone (app/identity.py)

    appbuilder.add_view(identity.ApplicantIdentityView, "实人认证与手机号", icon="fa-mobile",
                        category="个人业务", label=_l("实人认证与手机号"))
    from views import credit  # 信用记录: the person's own, the unit's persons', the center's management

    appbuilder.add_view(credit.ApplicantCreditView, "我的信用记录", icon="fa-exclamation-circle",
                        category="个人业务", label=_l("我的信用记录"))
    from views import campaigns  # 专项整治: the person's answers, the unit's and the center's reviews

    appbuilder.add_view(campaigns.ApplicantCampaignView, "专项整治", icon="fa-flag",
                        category="个人业务", label=_l("专项整治"))

    appbuilder.add_view(enterprise.EnterprisePendingView, "待办业务", icon="fa-inbox",
                        category="企业业务", category_label=_l("企业业务"), label=_l("待办业务"))
    appbuilder.add_view(enterprise.EnterpriseApplicationView, "全部申请", icon="fa-list",
                        category="企业业务", label=_l("全部申请"))
    if "unit_cancel" in extra:  # 强制注销（单位申请）: started from a person's page in 人员信息
        appbuilder.add_view(enterprise.EnterpriseUnitCancelView, "强制注销（单位申请）", icon="fa-ban",
                            category="企业业务", label=_l("强制注销（单位申请）"))
    if "enterprise_rename" in extra:  # 企业名称变更: the unit files once for all its registered persons
        appbuilder.add_view(enterprise.EnterpriseRenameView, "企业名称变更", icon="fa-pencil-square-o",
                            category="企业业务", label=_l("企业名称变更"))
    appbuilder.add_view(enterprise.EnterpriseInfoView, "企业信息", icon="fa-building",
                        category="企业业务", label=_l("企业信息"))
    appbuilder.add_view(enterprise.EnterprisePersonnelView, "人员信息", icon="fa-users",
                        category="企业业务", label=_l("人员信息"))
    appbuilder.add_view(credit.EnterpriseCreditView, "人员信用记录", icon="fa-exclamation-circle",
                        category="企业业务", label=_l("人员信用记录"))
    appbuilder.add_view(campaigns.EnterpriseCampaignView, "专项整治核查", icon="fa-flag",
                        category="企业业务", label=_l("专项整治核查"))

    appbuilder.add_view(center.CenterQueueView, "待审核申请", icon="fa-inbox",
                        category="注册中心", category_label=_l("注册中心"), label=_l("待审核申请"))
    appbuilder.add_view(center.CenterApplicationView, "全部申请记录", icon="fa-list",
                        category="注册中心", label=_l("全部申请记录"))
    appbuilder.add_view(center.CenterRegistrationView, "注册证书管理", icon="fa-id-card",
                        category="注册中心", label=_l("注册证书管理"))
    from views import supervision

    appbuilder.add_view(supervision.CenterSupervisionView, "在册监管", icon="fa-lock", category="注册中心",
                        label=_l("在册监管"))
    appbuilder.add_view(supervision.CenterUnlockRequestView, "解锁申请", icon="fa-unlock", category="注册中心",
                        label=_l("解锁申请"))
    appbuilder.add_view(supervision.CenterCommitmentView, "告知承诺核查", icon="fa-random", category="注册中心",
                        label=_l("告知承诺核查"))
    appbuilder.add_view(identity.CenterPersonView, "待确认实人认证", icon="fa-check-square-o",
                        category="注册中心", label=_l("待确认实人认证"))
    appbuilder.add_view(credit.CenterCreditView, "信用记录管理", icon="fa-exclamation-circle",
                        category="注册中心", label=_l("信用记录管理"))
    appbuilder.add_view(campaigns.CenterCampaignView, "专项整治管理", icon="fa-flag",
                        category="注册中心", label=_l("专项整治管理"))
    appbuilder.add_view(campaigns.CenterCampaignTargetView, "整治对象", icon="fa-users",
                        category="注册中心", label=_l("整治对象"))
    from views import directory, units

    appbuilder.add_view(directory.CenterEnterpriseView, "企业目录", icon="fa-building-o",
                        category="注册中心", label=_l("企业目录"))
    appbuilder.add_view_no_menu(units.UnitLookupView)  # the unit picker's search (JSON)

    from views import elicence  # 电子证照推送: what the e-licence library has not taken yet

    appbuilder.add_view(elicence.CenterElicenceView, "电子证照推送", icon="fa-cloud-upload", category="注册中心",
                        label=_l("电子证照推送"))
    from app import elicence_push as outbox

    current_app.add_template_global(outbox.pending_for, "elicence_pending")  # on the filing and the certificate
    current_app.add_template_global(outbox.KIND_LABELS, "elicence_kinds")
    appbuilder.add_view(workflow_page.CenterWorkflowView, "办理流程", icon="fa-sitemap", category="注册中心",
                        label=_l("办理流程"))

    from app import notify
    from views import messages  # 站内消息: reached from the navbar, which shows the unread count

    appbuilder.add_view_no_menu(messages.MessageView)
    current_app.add_template_global(notify.unread_messages)
    from app import deadlines

    current_app.add_template_global(deadlines.for_application, "time_limit")  # 办理时限 on detail pages
    from app import urging

    current_app.add_template_global(urging.summary, "urging")  # 催办 on detail pages
    from views import excel

    current_app.add_template_global(excel.export_url)  # 导出Excel button on the lists that offer it
    from views import fab_overrides

    fab_overrides.register(current_app)  # the list rows and the navbar menu, rendered for less (measured)
    from views import page_parts

    page_parts.register(current_app)  # the layout's stylesheet and script tags, rendered once per process
    from views import statistics  # 统计分析: the center's and each unit's; the menu name is its permission

    appbuilder.add_view(statistics.StatisticsView, "统计分析", icon="fa-bar-chart", label=_l("统计分析"))
    appbuilder.add_view_no_menu(public.PublicQueryView)
    appbuilder.add_link("公众查询", label=_l("公众查询"), href="/public/query", icon="fa-search")
    if current_app.config["CENTER_PROCEDURE"] == "full":  # 公示 and 公告 exist only in the full procedure
        appbuilder.add_link("公示", label=_l("公示"), href="/public/notice", icon="fa-bullhorn", category="公示公告",
                            category_label=_l("公示公告"), category_icon="fa-bullhorn")
        appbuilder.add_link("公告", label=_l("公告"), href="/public/announcements", icon="fa-newspaper-o",
                            category="公示公告")

    from views import excel as exports, jobs  # 后台任务 (the center and the system administrator); an export's page

    appbuilder.add_view(jobs.JobView, "后台任务", icon="fa-tasks", label=_l("后台任务"))
    appbuilder.add_view_no_menu(exports.ExportView)
    admin.register(appbuilder)  # 系统管理, 角色授权 and 安全日志: the three administrators' pages
    from views import api  # /api/v1 for other systems (bearer tokens), its description and Swagger UI

    api.register(appbuilder)
