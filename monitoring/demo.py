"""Demo checks that work on any machine: this host, the scheduler process, the app's own /healthz and port.

Installed by monitoring.feature as a demo loader; creates only the checks whose names are missing, so loading twice, or
after a watcher edited one, changes nothing. Nagios plugin checks are added when Debian's plugins are installed.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlmodel import Session

from monitoring import service
from monitoring.checkspec import CheckSpec, spec_from_dict

PLUGINS = Path("/usr/lib/nagios/plugins")

RUNBOOK_CPU = """\
CPU 持续偏高会拖慢值班台和巡视。
1. 登录主机执行 top（按 P 排序），找出占用最高的进程；
2. 若是巡视进程 scheduler.py，查看是否有检查超时堆积（检查页面的“最近运行”）；
3. 非业务进程（备份、杀毒扫描）可与负责人商量改期；业务进程异常时通知值长并联系二线系统组。
CPU high for long slows the desk and the patrols: find the top process (top, sort by P); reschedule backups
or scans; for a business process tell the shift leader and call the second-line systems group."""

RUNBOOK_MEMORY = """\
内存不足时系统会开始杀进程（OOM）。
1. free -h 与 ps aux --sort=-rss | head 查看占用；
2. 确认是否有进程内存持续增长（泄漏），记录进程与增长速度；
3. 需要重启服务时先报值长，在交接班记录中写明。
Low memory leads to the OOM killer: check free -h and the biggest processes; note any steady growth (leak);
restart a service only with the shift leader's agreement and write it in the handover."""

RUNBOOK_SWAP = """\
交换分区使用升高说明物理内存长期不足，响应会明显变慢。
按“内存”检查的处理步骤排查；如持续升高，提交扩容工单给二线。
Swap in use means memory has been short for a while: follow the memory runbook; if it keeps growing,
raise a capacity work order to the second line."""

RUNBOOK_DISK = """\
根分区写满会导致数据库和日志写入失败，值班台将无法记录告警。
1. df -h / 与 du -xh / --max-depth=2 | sort -h | tail 找出大目录；
2. 优先清理过期日志（/var/log 下已轮转的 .gz）和临时文件，不要删除数据库文件；
3. 清理后仍超过 90%，通知值长并提交扩容工单。
A full root disk stops database and log writes (the desk stops recording alerts): find big directories,
remove rotated logs and temp files (never database files); above 90% after cleaning, tell the leader."""

RUNBOOK_LOAD = """\
负载（每核）偏高表示等待 CPU 或磁盘的任务过多。
结合 CPU 与磁盘检查判断：CPU 不高但负载高，多为磁盘 I/O 等待（iostat -x 1 5）。
High load per core means many tasks wait for CPU or disk; if CPU is low, suspect disk I/O (iostat -x 1 5)."""

RUNBOOK_SCHEDULER = """\
本值班台的巡视进程（持有巡视租约的 scheduler.py）心跳停止：所有巡视检查都会停止，告警不会产生！
1. 立即通知值长；
2. 在值班台主机上重新启动（make run 会同时启动网页与巡视进程，或按运维手册用服务管理器启动）；
3. 启动后在检查页面点“立即运行”确认巡视恢复，并在交接班记录中写明停止时段。
Without scheduler.py no check runs and no alert is raised: tell the shift leader, restart it (make run, or
the service manager), press Run now on a check to confirm patrols are back, note the gap in the handover."""

RUNBOOK_HEALTHZ = """\
值班台自身健康检查失败：网页或数据库不可用，值班人员可能看不到告警。
1. 浏览器打开值班台首页确认；2. 检查数据库服务是否运行；3. 查看应用日志最后的错误；
4. 恢复前改用电话通知值长和相关值班员。
The desk's own health check fails: the web app or its database is down and watchers may miss alerts. Confirm
in a browser, check the database, read the app log; until it is back, call the leader and watchers by phone."""

RUNBOOK_PORT = """\
值班台端口不通：网页进程未监听或被防火墙拦截。
检查进程是否在运行（ss -ltnp | grep 端口），必要时按运维手册重启网页服务并报值长。
The desk's port does not answer: check the listener (ss -ltnp), restart the web service per the manual,
tell the shift leader."""


def _port() -> int:
    text = os.environ.get("DUTYDESK_PORT", "5000")
    return int(text) if text.isdigit() and 0 < int(text) < 65536 else 5000


def demo_specs() -> list[CheckSpec]:
    """The demo checks for this machine (Nagios ones only where the plugins are installed)."""
    port = _port()
    rows: list[dict[str, Any]] = [
        {"name": "host-cpu", "kind": "cpu", "domain": "info", "interval": 60, "sample": 0.5, "runbook": RUNBOOK_CPU},
        {"name": "host-memory", "kind": "memory", "domain": "info", "interval": 60, "runbook": RUNBOOK_MEMORY},
        {"name": "host-swap", "kind": "swap", "domain": "info", "interval": 60, "severity": "minor",
         "runbook": RUNBOOK_SWAP},
        {"name": "host-root-disk", "kind": "disk", "domain": "info", "interval": 60, "path": "/",
         "runbook": RUNBOOK_DISK},
        {"name": "host-load", "kind": "load", "domain": "info", "interval": 60, "severity": "minor",
         "runbook": RUNBOOK_LOAD},
        {"name": "patrol-scheduler", "kind": "scheduler", "domain": "info", "interval": 30, "severity": "critical",
         "warning": "20", "critical": "45", "max_attempts": 1, "runbook": RUNBOOK_SCHEDULER},
        {"name": "desk-healthz", "kind": "http", "domain": "info", "interval": 30, "timeout": 5,
         "severity": "critical", "url": f"http://127.0.0.1:{port}/healthz", "expect_status": [200],
         "keyword": "ok", "warning": "1", "critical": "3", "runbook": RUNBOOK_HEALTHZ},
        {"name": "desk-web-port", "kind": "tcp", "domain": "comms", "interval": 30, "timeout": 5,
         "host": "127.0.0.1", "port": port, "warning": "0.5", "critical": "2", "runbook": RUNBOOK_PORT},
    ]
    rows += _nagios_rows(port)
    return [spec_from_dict(row) for row in rows]


def _nagios_rows(port: int) -> list[dict[str, Any]]:
    """check_load, check_disk and check_tcp through Debian's plugins, when present."""
    rows: list[dict[str, Any]] = []
    if os.access(PLUGINS / "check_load", os.X_OK):
        rows.append({"name": "nagios-load", "kind": "nagios", "domain": "info", "interval": 60, "severity": "minor",
                     "command": [str(PLUGINS / "check_load"), "-r", "-w", "2,1.5,1.2", "-c", "4,3,2"],
                     "runbook": RUNBOOK_LOAD})
    if os.access(PLUGINS / "check_disk", os.X_OK):
        rows.append({"name": "nagios-root-disk", "kind": "nagios", "domain": "info", "interval": 60,
                     "command": [str(PLUGINS / "check_disk"), "-w", "20%", "-c", "10%", "-p", "/"],
                     "runbook": RUNBOOK_DISK})
    if os.access(PLUGINS / "check_tcp", os.X_OK):
        rows.append({"name": "nagios-desk-tcp", "kind": "nagios", "domain": "comms", "interval": 60,
                     "command": [str(PLUGINS / "check_tcp"), "-H", "127.0.0.1", "-p", str(port), "-w", "0.5",
                                 "-c", "2"], "runbook": RUNBOOK_PORT})
    return rows


def load_demo_checks(session: Session) -> None:
    """Create whichever demo checks are missing (by name); existing checks are left as they are."""
    known = set(service.check_names(session))
    for spec in demo_specs():
        if spec.name not in known:
            service.create_check(session, actor="demo", spec=spec)
