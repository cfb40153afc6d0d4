"""Every write of the wands programme, by subject: requests and their workflow (`requests`), allowances, the stock
ledger (`stock`), faulty and missing wands (`issues`), the dispatch list (`dispatch_csv`) and the import of earlier
deliveries (`existing`). Import from `wands.services`: the names below are its interface."""

from core.csv_import import CsvRejected  # the one error of every import, as callers catch it here

from ._common import MAX_CSV_BYTES, MAX_QUANTITY, AllowanceExceeded, ApprovalOutcome, BulkApprovalOutcome, OutOfStock
from .allowances import allowance_override_set, allowance_rule_set
from .dispatch_csv import (
    DISPATCH_CSV_COLUMNS,
    SERIAL_MAX_LENGTH,
    DispatchCsvResult,
    csv_upload_read,
    dispatch_csv_apply,
)
from .existing import EXISTING_CSV_COLUMNS, existing_deliveries_import
from .issues import wand_issue_pickup_collected, wand_issue_report, wand_issue_return_received
from .requests import (
    wand_request_approve,
    wand_request_cancel,
    wand_request_confirm_delivery,
    wand_request_dispatch,
    wand_request_reject,
    wand_request_submit,
    wand_requests_approve_many,
)
from .stock import stock_delivery_record, stock_write_off

__all__ = [
    "CsvRejected",
    "AllowanceExceeded",
    "ApprovalOutcome",
    "BulkApprovalOutcome",
    "DISPATCH_CSV_COLUMNS",
    "DispatchCsvResult",
    "EXISTING_CSV_COLUMNS",
    "MAX_CSV_BYTES",
    "MAX_QUANTITY",
    "OutOfStock",
    "SERIAL_MAX_LENGTH",
    "allowance_override_set",
    "allowance_rule_set",
    "csv_upload_read",
    "dispatch_csv_apply",
    "existing_deliveries_import",
    "stock_delivery_record",
    "stock_write_off",
    "wand_issue_pickup_collected",
    "wand_issue_report",
    "wand_issue_return_received",
    "wand_request_approve",
    "wand_request_cancel",
    "wand_request_confirm_delivery",
    "wand_request_dispatch",
    "wand_request_reject",
    "wand_request_submit",
    "wand_requests_approve_many",
]
