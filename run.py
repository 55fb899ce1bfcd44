"""python run.py: upgrade the schema, load reference data, seed the demo into an empty database, serve.

With the embedded queue (JOBS_BACKEND=sqlite, the default) it also runs the job workers and the
scheduler in threads of this process (JOBS_EMBEDDED_WORKERS), so nothing else needs starting.
Prints the address and the demo logins. PORT (default 5000) and HOST (default 127.0.0.1) override.
"""
import os

from flask_migrate import upgrade

from app import create_app


def prepare(app):
    """Bring the database to the current schema and load what an empty one needs."""
    from seeds import demo, reference

    with app.app_context():
        upgrade(revision="heads")
        sm = app.appbuilder.sm
        reference.load(sm)
        if app.config["ENVIRONMENT"] != "production":
            demo.load(sm)


def main():
    app = create_app()
    prepare(app)
    from app import jobs

    if jobs.start_embedded(app):
        print(f"  后台任务：本进程内 {app.config['JOBS_EMBEDDED_WORKERS']} 个工作线程和定时调度（{app.config['JOBS_BACKEND']}）")
    host = os.environ.get("HOST", "127.0.0.1")
    port = int(os.environ.get("PORT", "5000"))
    print(f"\n  二级建造师注册管理平台: http://{host}:{port}/")
    if app.config["ENVIRONMENT"] != "production":
        from seeds.demo import DEMO_PASSWORD

        print(f"  演示账号（密码均为 {DEMO_PASSWORD}）:")
        print("    个人版  app1 app2 app3（app1、app2 属单位一，app3 属单位二）")
        print("    企业版  ent1 ent2    注册中心  center")
        print("    系统管理员  admin    安全管理员  secadmin    审计管理员  auditor")
        print("  登录后输入短信验证码：本地不发送短信，用 make outbox WHO=用户名 查看\n")
    app.run(host=host, port=port, debug=False)


if __name__ == "__main__":
    main()
