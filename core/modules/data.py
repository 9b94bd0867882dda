"""Data files of addons: XML (``<record>``, ``<menuitem>``, ``<delete>``, ``<function>``)
and CSV named after their model, loaded in manifest order.

Every record a file creates gets an external id ``module.name`` in ``ir.model.data``
that makes the addon its owner.  On upgrade a record is written again from the file
unless it is ``noupdate`` or — beyond Odoo — a user changed it since it was last
loaded: the hash of the values last loaded is kept per external id, and a record
whose current values no longer match it is left alone (and the skip is logged).
Every error names the addon, the file, the line and the external id.
"""
import base64
import csv
import dataclasses
import datetime
import io
import logging
import os
import time

from lxml import etree

from ..fields import Command
from ..tools.safe_eval import EvalError, safe_eval

_logger = logging.getLogger(__name__)

FALSE_TEXTS = {"0", "false", "off", "no", ""}


class DataFileError(ValueError):
    """An error in a data file, located: ``addon/file:line: xml id: what``."""


class DataLoader:
    """Loads the data files of one addon into ``env`` (superuser)."""

    def __init__(self, env, module, path, mode, installed, noupdate=False):
        self.env = env
        self.module = module
        self.path = path
        self.mode = mode                  # 'init' or 'update'
        self.installed = installed        # names of addons installed or being installed
        self.noupdate = noupdate          # demo files are always noupdate
        self.seen = set()                 # external ids met during this load
        self.count = 0
        self.skipped = []                 # (xmlid, reason) of records not updated
        self.filename = None
        self._rows = None                 # this addon's ir.model.data rows, by name
        self._pending = []                # new ir.model.data rows, written per file

    def _data_rows(self):
        """The addon's external ids, read once: ``{name: row values}``."""
        if self._rows is None:
            self._rows = {row["name"]: row for row in self.env["ir.model.data"].search_read(
                [("module", "=", self.module)], ["name", "model", "res_id", "noupdate", "checksum"])}
        return self._rows

    def _flush_pending(self):
        if self._pending:
            created = self.env["ir.model.data"].create(self._pending)
            for row, rid in zip(self._pending, created.ids):
                row["id"] = rid
            self._pending = []

    # ------------------------------------------------------------ entry points
    def load_file(self, relpath):
        self.filename = relpath
        full = os.path.join(self.path, relpath)
        if relpath.endswith(".xml"):
            self._load_xml(full)
        elif relpath.endswith(".csv"):
            self._load_csv(full)
        else:
            raise DataFileError(f"{self.module}/{relpath}: unsupported data file type")
        self._flush_pending()

    def error(self, line, xmlid, message):
        where = f"{self.module}/{self.filename}" + (f":{line}" if line else "")
        return DataFileError(f"{where}: {xmlid + ': ' if xmlid else ''}{message}")

    # ------------------------------------------------------------ external ids
    def full_xmlid(self, xmlid, line=None):
        if "." not in xmlid:
            return f"{self.module}.{xmlid}"
        module, _, name = xmlid.partition(".")
        if "." in name:
            raise self.error(line, xmlid, "an external id has at most one dot: 'module.name'")
        if module not in self.installed and module != self.module:
            raise self.error(line, xmlid, f"addon {module!r} is not installed "
                                          f"(add it to the depends of {self.module!r})")
        return xmlid

    def ref(self, xmlid, line=None):
        full = self.full_xmlid(xmlid, line)
        try:
            return self.env["ir.model.data"]._xmlid_lookup(full)[1]
        except ValueError:
            raise self.error(line, xmlid, f"external id {full!r} not found "
                                          f"(is it defined earlier in the manifest's data?)") from None

    def eval_namespace(self, model=None):
        return {
            "ref": lambda xmlid: self.ref(xmlid),
            "Command": Command,
            "time": _TimeModule,
            "datetime": datetime.datetime,
            "DateTime": datetime.datetime,
            "date": datetime.date,
            "timedelta": datetime.timedelta,
            "version": "17.0",
            "user": self._user_info(),
        }
        # no records or environments here: through their attributes an expression could
        # reach the cursor; data files name records by external id (ref) instead

    def _user_info(self):
        """Plain facts about the user loading the data (the superuser while installing)."""
        if "res.users" not in self.env:
            return None
        user = self.env["res.users"].sudo().browse(self.env.uid)
        exists = bool(user.exists())
        return _UserInfo(
            id=self.env.uid,
            login=user.login if exists else False,
            company_id=user.company_id.id if exists else False,
            company_ids=user.company_ids.ids if exists else [],
        )

    def evaluate(self, expression, line, xmlid, model=None):
        try:
            return safe_eval(expression, self.eval_namespace(model))
        except DataFileError:
            raise
        except EvalError as exc:
            raise self.error(line, xmlid, str(exc)) from None

    # ------------------------------------------------------------ records
    def load_record(self, model_name, xmlid, values, noupdate=False, forcecreate=True, line=None):
        """Create or update the record of ``xmlid``; returns it (or None when skipped)."""
        env = self.env
        noupdate = noupdate or self.noupdate  # demo records are never updated
        full = self.full_xmlid(xmlid, line) if xmlid else None
        if model_name not in env:
            raise self.error(line, xmlid, f"unknown model {model_name!r}")
        model = env[model_name].with_context(active_test=False, module_install=True)
        for name in values:
            if name not in model._fields:
                raise self.error(line, xmlid, f"model {model_name} has no field {name!r}")
        data_model = env["ir.model.data"]
        existing = None
        row = None
        if full:
            self.seen.add(full)
            module, _, name = full.partition(".")
            if module == self.module:
                row = self._data_rows().get(name)
            else:
                found = data_model.search_read([("module", "=", module), ("name", "=", name)],
                                               ["name", "model", "res_id", "noupdate", "checksum"], limit=1)
                row = found[0] if found else None
            if row is not None:
                if row["model"] != model_name:
                    raise self.error(line, xmlid, f"external id {full} belongs to a "
                                                  f"{row['model']} record, not {model_name}")
                existing = model.browse(row["res_id"]).exists()
        try:
            if existing:
                if self.mode == "update" and (noupdate or row["noupdate"]):
                    return existing
                if self.mode == "update" and row["checksum"] and \
                        row["checksum"] != self._checksum(existing, row["checksum"].split(":")[0].split(",")):
                    self.skipped.append((full, "edited since it was loaded"))
                    _logger.info("%s: %s was edited since it was loaded: not updated", self.module, full)
                    return existing
                existing.write(values)
                record = existing
            else:
                if full and full.partition(".")[0] != self.module and not forcecreate:
                    raise self.error(line, xmlid, f"no record {full} to update")
                if self.mode == "update" and noupdate and row is not None and not forcecreate:
                    return None
                record = model.create(values)
        except DataFileError:
            raise
        except Exception as exc:  # the ORM's own message, located in the file
            raise self.error(line, xmlid, f"{type(exc).__name__}: {exc}") from None
        self.count += 1
        if full:
            module, _, name = full.partition(".")
            row_values = {"model": model_name, "res_id": record.id,
                          "checksum": self._checksum(record, sorted(values)),
                          "noupdate": bool(noupdate or (row["noupdate"] if row else False))}
            if row is not None and "id" in row:
                data_model.browse(row["id"]).write(row_values)
                row.update(row_values)
            elif row is not None:
                row.update(row_values)           # still pending: written with the file
            else:
                row_values.update(module=module, name=name)
                self._pending.append(row_values)
                if module == self.module:
                    self._data_rows()[name] = row_values
            env.transaction.xmlids[full] = (model_name, record.id, row_values["noupdate"])
        return record

    def _checksum(self, record, names):
        names = [n for n in names if n in record._fields]
        values = record.with_context(lang="en_US").read(names, load=None)[0] if names else {}
        values.pop("id", None)
        return ",".join(names) + ":" + self.env["ir.model.data"].values_checksum(values)

    # ------------------------------------------------------------ XML
    def _load_xml(self, filename):
        try:
            tree = etree.parse(filename, etree.XMLParser(remove_comments=True))
        except etree.XMLSyntaxError as exc:
            raise self.error(exc.lineno, None, f"malformed XML: {exc.msg}") from None
        root = tree.getroot()
        if root.tag not in ("odoo", "openerp", "data"):
            raise self.error(root.sourceline, None, f"the root element must be <odoo>, not <{root.tag}>")
        self._xml_block(root, _truthy(root.get("noupdate", "0")))

    def _xml_block(self, element, noupdate):
        for child in element:
            if not isinstance(child.tag, str):
                continue
            if child.tag == "data":
                self._xml_block(child, _truthy(child.get("noupdate", "1" if noupdate else "0")))
            elif child.tag == "record":
                self._xml_record(child, noupdate)
            elif child.tag == "menuitem":
                self._xml_menuitem(child, noupdate)
            elif child.tag == "delete":
                self._xml_delete(child)
            elif child.tag == "function":
                if not (noupdate and self.mode == "update"):
                    self._xml_function(child)
            else:
                raise self.error(child.sourceline, child.get("id"), f"unknown element <{child.tag}>")

    def _xml_record(self, element, noupdate, extra=None):
        model_name = element.get("model")
        xmlid = element.get("id")
        line = element.sourceline
        if not model_name:
            raise self.error(line, xmlid, "<record> needs a model attribute")
        if model_name not in self.env:
            raise self.error(line, xmlid, f"unknown model {model_name!r}")
        model = self.env[model_name]
        values = dict(extra or {})
        nested = []
        for field_el in element.iterchildren("field"):
            name = field_el.get("name")
            if not name:
                raise self.error(field_el.sourceline, xmlid, "<field> needs a name attribute")
            field = model._fields.get(name)
            if field is None:
                raise self.error(field_el.sourceline, xmlid, f"model {model_name} has no field {name!r}")
            children = [c for c in field_el if isinstance(c.tag, str) and c.tag == "record"]
            if field.type == "one2many" and children:
                nested.append((field, children))
                continue
            values[name] = self._xml_value(field_el, field, model, xmlid)
        forcecreate = _truthy(element.get("forcecreate", "1"))
        record = self.load_record(model_name, xmlid, values, noupdate, forcecreate, line)
        for field, children in nested:
            for child in children:
                self._xml_record(child, noupdate, {field.inverse_name: record.id})
        return record

    def _xml_value(self, element, field, model, xmlid):
        line = element.sourceline
        kind = element.get("type")
        if element.get("ref") is not None:
            target = element.get("ref")
            if not target:
                return False
            return self.ref(target, line)
        if element.get("search") is not None:
            comodel = self.env[element.get("model") or field.comodel_name]
            domain = self.evaluate(element.get("search"), line, xmlid, comodel)
            found = comodel.search(domain)
            if field.type in ("many2many", "one2many"):
                return [Command.set(found.ids)]
            return found[:1].id or False
        if element.get("eval") is not None:
            value = self.evaluate(element.get("eval"), line, xmlid, model)
            return value
        if element.get("file"):
            with open(os.path.join(self.path, element.get("file")), "rb") as handle:
                content = handle.read()
            return base64.b64encode(content) if kind == "base64" or field.type == "binary" \
                else content.decode()
        if kind in ("xml", "html"):
            parts = [element.text or ""] + [etree.tostring(c, encoding="unicode") for c in element]
            text = "".join(parts).strip()
            return self._substitute_ids(text, line, xmlid)
        text = element.text or ""
        if kind == "int":
            return None if text.strip() == "None" else int(text)
        if kind == "float":
            return float(text)
        if kind in ("list", "tuple"):
            items = [self._xml_value(v, field, model, xmlid) for v in element.iterchildren("value")]
            return items if kind == "list" else tuple(items)
        if field.type == "boolean":
            return text.strip().lower() not in FALSE_TEXTS
        if field.type == "integer":
            return int(text) if text.strip() else 0
        if field.type in ("float", "monetary"):
            return float(text) if text.strip() else 0.0
        if field.type == "many2one":
            if not text.strip():
                return False
            raise self.error(line, xmlid, f"field {field.name} is a many2one: use ref=\"...\"")
        return text

    def _substitute_ids(self, text, line, xmlid):
        import re

        def replace(match):
            return str(self.ref(match.group(1), line))
        text = re.sub(r"%\((.*?)\)[ds]", replace, text)
        return text.replace("%%", "%")

    def _xml_menuitem(self, element, noupdate, parent_id=None):
        xmlid = element.get("id")
        line = element.sourceline
        values = {"parent_id": parent_id or False}
        if element.get("parent"):
            values["parent_id"] = self.ref(element.get("parent"), line)
        if element.get("name"):
            values["name"] = element.get("name")
        if element.get("sequence"):
            values["sequence"] = int(element.get("sequence"))
        if element.get("web_icon"):
            values["web_icon"] = element.get("web_icon")
        if element.get("active"):
            values["active"] = _truthy(element.get("active"))
        if element.get("action"):
            full = self.full_xmlid(element.get("action"), line)
            try:
                model, res_id, _ = self.env["ir.model.data"]._xmlid_lookup(full)
            except ValueError:
                raise self.error(line, xmlid, f"action {full} not found") from None
            values["action"] = f"{model},{res_id}"
            if "name" not in values:
                values["name"] = self.env[model].browse(res_id).name
        if element.get("groups"):
            commands = []
            for group in element.get("groups").split(","):
                group = group.strip()
                if group.startswith("-"):
                    commands.append(Command.unlink(self.ref(group[1:], line)))
                else:
                    commands.append(Command.link(self.ref(group, line)))
            values["groups_id"] = commands
        if "name" not in values:
            raise self.error(line, xmlid, "<menuitem> needs a name or an action")
        menu = self.load_record("ir.ui.menu", xmlid, values, noupdate, True, line)
        for child in element.iterchildren("menuitem"):
            self._xml_menuitem(child, noupdate, menu.id)

    def _xml_delete(self, element):
        model_name = element.get("model")
        line = element.sourceline
        if model_name not in self.env:
            raise self.error(line, element.get("id"), f"unknown model {model_name!r}")
        model = self.env[model_name]
        if element.get("id"):
            full = self.full_xmlid(element.get("id"), line)
            record = self.env["ir.model.data"]._xmlid_to_record(full, raise_if_not_found=False)
            if record is None:
                _logger.warning("%s/%s:%s: nothing to delete for %s", self.module, self.filename, line, full)
                return
            record.unlink()
        elif element.get("search"):
            model.search(self.evaluate(element.get("search"), line, None, model)).unlink()
        else:
            raise self.error(line, None, "<delete> needs an id or a search attribute")

    def _xml_function(self, element):
        model_name = element.get("model")
        name = element.get("name")
        line = element.sourceline
        if model_name not in self.env:
            raise self.error(line, None, f"unknown model {model_name!r}")
        model = self.env[model_name]
        if not name or name.startswith("_") and not name.startswith("_load") or not hasattr(model, name):
            raise self.error(line, None, f"<function>: {model_name} has no callable method {name!r}")
        args, kwargs = [], {}
        if element.get("eval"):
            args = self.evaluate(element.get("eval"), line, None, model)
            args = list(args) if isinstance(args, (list, tuple)) else [args]
        for value in element.iterchildren("value"):
            item = self.evaluate(value.get("eval"), line, None, model) if value.get("eval") else value.text
            if value.get("name"):
                kwargs[value.get("name")] = item
            else:
                args.append(item)
        method = getattr(type(model), name)
        if getattr(method, "_api", None) == "model" or not args:
            getattr(model, name)(*args, **kwargs)
        else:
            ids, *rest = args
            getattr(model.browse(ids), name)(*rest, **kwargs)

    # ------------------------------------------------------------ CSV
    def _load_csv(self, filename):
        model_name = os.path.basename(filename)[:-4].split("-")[0]
        if model_name not in self.env:
            raise self.error(None, None, f"the file name names no model: {model_name!r}")
        model = self.env[model_name]
        with open(filename, encoding="utf-8", newline="") as handle:
            reader = csv.reader(io.StringIO(handle.read()))
            rows = list(reader)
        if not rows:
            return
        header = rows[0]
        columns = []
        for column in header:
            name = column.strip()
            if "@" in name:
                columns.append(None)
                continue
            kind = "value"
            for suffix, what in ((":id", "xmlid"), ("/id", "xmlid"), ("/.id", "dbid"), (".id", "dbid")):
                if name.endswith(suffix) and name != "id":
                    name, kind = name[: -len(suffix)], what
                    break
            if name != "id" and name not in model._fields:
                raise self.error(1, None, f"column {column!r}: model {model_name} has no field {name!r}")
            columns.append((name, kind))
        new = []  # rows of records that do not exist yet: created together
        for number, row in enumerate(rows[1:], start=2):
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                raise self.error(number, None, f"{len(row)} cells, the header has {len(header)}")
            xmlid = None
            values = {}
            for spec, cell in zip(columns, row):
                if spec is None:
                    continue
                name, kind = spec
                if name == "id":
                    xmlid = cell.strip() or None
                    continue
                values[name] = self._csv_value(model._fields[name], kind, cell, number, xmlid)
            if xmlid and "." not in xmlid and xmlid not in self._data_rows():
                new.append((number, xmlid, values))
            else:
                self.load_record(model_name, xmlid, values, self.noupdate, True, number)
        if new:
            self._create_batch(model, new)

    def _create_batch(self, model, rows):
        """Create the records of new CSV rows in one go (one INSERT), with their external ids."""
        try:
            records = model.with_context(active_test=False, module_install=True).create(
                [values for _, _, values in rows])
        except Exception as exc:
            # find the faulty row: load them one by one, which locates the error
            for number, xmlid, values in rows:
                self.load_record(model._name, xmlid, values, self.noupdate, True, number)
            raise self.error(None, None, f"{type(exc).__name__}: {exc}") from None
        for record, (_, xmlid, values) in zip(records, rows):
            full = f"{self.module}.{xmlid}"
            self.seen.add(full)
            row = {"module": self.module, "name": xmlid, "model": model._name, "res_id": record.id,
                   "noupdate": bool(self.noupdate), "checksum": self._checksum(record, sorted(values))}
            self._pending.append(row)
            self._data_rows()[xmlid] = row
            self.env.transaction.xmlids[full] = (model._name, record.id, row["noupdate"])
        self.count += len(rows)

    def _csv_value(self, field, kind, cell, line, xmlid):
        cell = cell.strip()
        if kind == "xmlid":
            if not cell:
                return False if field.type == "many2one" else [Command.clear()]
            ids = [self.ref(x.strip(), line) for x in cell.split(",") if x.strip()]
            return ids[0] if field.type == "many2one" else [Command.set(ids)]
        if kind == "dbid":
            ids = [int(x) for x in cell.split(",") if x.strip()]
            return (ids[0] if ids else False) if field.type == "many2one" else [Command.set(ids)]
        if field.type == "boolean":
            return cell.lower() not in FALSE_TEXTS
        if not cell:
            return False
        try:
            if field.type == "integer":
                return int(cell)
            if field.type in ("float", "monetary"):
                return float(cell)
        except ValueError:
            raise self.error(line, xmlid, f"field {field.name}: {cell!r} is not a number") from None
        if field.type == "many2one":
            raise self.error(line, xmlid, f"field {field.name} is a many2one: name the column "
                                          f"{field.name}:id (external id) or {field.name}/.id")
        return cell


@dataclasses.dataclass(frozen=True)
class _UserInfo:
    id: int
    login: str
    company_id: int
    company_ids: list


class _TimeModule:
    """The parts of ``time`` that data files may use."""

    strftime = staticmethod(time.strftime)
    time = staticmethod(time.time)


def _truthy(text):
    return str(text).strip().lower() not in FALSE_TEXTS
