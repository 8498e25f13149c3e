"""What the console calls stable keys and form fields, in Chinese and English."""

from __future__ import annotations

from chalicelib.domain.labels import BARE_KEYS

# Stable keys the console shows, e.g. callback statuses (one table: domain.labels).
LABELS = BARE_KEYS

# Form fields, as error pages name them ("field_<name>").
FIELD_LABELS: dict[str, tuple[str, str]] = {
    "outcome": ("办结结果", "Outcome"),
    "result": ("回访结果", "Call result"),
    "note": ("备注", "Note"),
    "reply": ("答复", "Reply"),
    "content": ("内容", "Content"),
    "phone": ("手机号", "Phone"),
    "consent": ("同意保存手机号", "Consent"),
    "csrf": ("表单令牌（请刷新页面后重试）", "Form token (reload the page and retry)"),
    "hall": ("营业厅", "Hall"),
    "hall_code": ("营业厅编码", "Hall code"),
    "halls": ("营业厅", "Halls"),
    "month": ("月份", "Month"),
    "day": ("日期", "Date"),
    "date": ("日期", "Date"),
    "quarter": ("季度", "Quarter"),
    "category": ("活动类别", "Category"),
    "title": ("主题", "Title"),
    "place": ("地点", "Place"),
    "status": ("状态", "Status"),
    "username": ("用户名", "Username"),
    "password": ("密码", "Password"),
    "old_password": ("当前密码", "Current password"),
    "new_password": ("新密码", "New password"),
    "repeat_password": ("再次输入新密码", "New password again"),
    "active": ("启用", "Active"),
    "role": ("角色", "Role"),
    "code": ("编码", "Code"),
    "name": ("名称", "Name"),
    "branch": ("分中心", "Branch"),
    "grade": ("等级", "Grade"),
    "number": ("窗口号", "Counter number"),
    "counter_number": ("窗口号", "Counter number"),
    "staff_no": ("工号", "Staff number"),
    "ground": ("申诉理由", "Ground"),
    "working": ("是否工作日", "Working day"),
    "year": ("年份", "Year"),
    # work orders (工单)
    "kind": ("类型", "Kind"),
    "subject": ("事由", "Subject"),
    "detail": ("详情", "Details"),
    "customer_name": ("客户姓名", "Customer name"),
    "key_account": ("大客户", "Key account"),
    "account_no": ("大客户户号", "Account number"),
    "department": ("部门", "Department"),
    "departments": ("部门", "Departments"),
    "answer": ("答复", "Answer"),
    "verified": ("是否属实", "Verified"),
    "source": ("来源", "Taken by"),
    "id": ("表单编号（请刷新页面后重试）", "Form id (reload the page and retry)"),
}
