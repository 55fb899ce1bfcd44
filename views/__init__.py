"""One module per audience; register_views puts them into the menus each role sees."""
from flask_babel import lazy_gettext as _l

from app.i18n import chinese


def register_views(appbuilder):
    from views import admin, applicant, center, enterprise

    for view in applicant.TYPE_VIEWS:
        label = applicant.rules.TYPES[view.business_type].label
        # the menu's name is its permission name (app/roles.py): the Chinese source text, never translated
        appbuilder.add_view(view, chinese(label), icon="fa-file-text-o", category="个人业务",
                            category_label=_l("个人业务"), label=label)
    appbuilder.add_view(applicant.ApplicantRegistrationView, "我的注册证书", icon="fa-id-card-o",
                        category="个人业务", label=_l("我的注册证书"))

    appbuilder.add_view(enterprise.EnterprisePendingView, "待办业务", icon="fa-inbox",
                        category="企业业务", category_label=_l("企业业务"), label=_l("待办业务"))
    appbuilder.add_view(enterprise.EnterpriseApplicationView, "全部申请", icon="fa-list",
                        category="企业业务", label=_l("全部申请"))
    appbuilder.add_view(enterprise.EnterpriseInfoView, "企业信息", icon="fa-building",
                        category="企业业务", label=_l("企业信息"))
    appbuilder.add_view(enterprise.EnterprisePersonnelView, "人员信息", icon="fa-users",
                        category="企业业务", label=_l("人员信息"))

    appbuilder.add_view(center.CenterQueueView, "待审核申请", icon="fa-inbox",
                        category="注册中心", category_label=_l("注册中心"), label=_l("待审核申请"))
    appbuilder.add_view(center.CenterApplicationView, "全部申请记录", icon="fa-list",
                        category="注册中心", label=_l("全部申请记录"))
    appbuilder.add_view(center.CenterRegistrationView, "注册证书管理", icon="fa-id-card",
                        category="注册中心", label=_l("注册证书管理"))

    appbuilder.add_view(admin.AdminSpecialtyView, "专业目录", icon="fa-book",
                        category="系统管理", category_label=_l("系统管理"), label=_l("专业目录"))
