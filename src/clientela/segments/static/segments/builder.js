// Clientela segment rule builder: edits the rule tree kept as JSON in the "rules" textarea.
// Without this file the textarea itself is the editor; the server checks the rules either way.
(function () {
  "use strict";

  var MAX_DEPTH = 5;
  var NO_VALUE = ["is_empty", "is_not_empty"];
  var DAY_COUNTS = ["within_days", "before_days_ago", "after_days_ago"];

  function readJson(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") node.textContent = attrs[key];
      else if (key === "className") node.className = attrs[key];
      else node.setAttribute(key, attrs[key]);
    });
    (children || []).forEach(function (child) { if (child) node.appendChild(child); });
    return node;
  }

  function option(value, label, selected) {
    var node = el("option", { value: String(value), text: label });
    if (selected) node.selected = true;
    return node;
  }

  function isGroup(node) {
    return node && typeof node === "object" && !Array.isArray(node) &&
      Object.keys(node).length === 1 && (Array.isArray(node.all) || Array.isArray(node.any));
  }

  function joinerOf(group) { return Array.isArray(group.all) ? "all" : "any"; }

  function Builder(root, textarea, fields, texts) {
    this.root = root;
    this.textarea = textarea;
    this.texts = texts;
    this.fields = {};
    this.order = fields;
    var self = this;
    fields.forEach(function (f) { self.fields[f.name] = f; });
    this.tree = JSON.parse(textarea.value || '{"all": []}');
  }

  Builder.prototype.sync = function () {
    this.textarea.value = JSON.stringify(this.tree);
    document.body.dispatchEvent(new CustomEvent("rules-changed"));
  };

  Builder.prototype.redraw = function () {
    this.root.replaceChildren(this.group(this.tree, null, 1));
    this.sync();
  };

  Builder.prototype.group = function (group, parentList, depth) {
    var self = this;
    var joiner = joinerOf(group);
    var children = group[joiner];
    var select = el("select", { "aria-label": this.texts.match }, [
      option("all", this.texts.all, joiner === "all"),
      option("any", this.texts.any, joiner === "any")
    ]);
    select.addEventListener("change", function () {
      var list = group[joiner];
      delete group[joiner];
      group[select.value] = list;
      self.redraw();
    });
    var head = el("div", { className: "rule-group-head" }, [select]);
    if (parentList) head.appendChild(this.removeButton(parentList, group));
    var box = el("div", { className: "rule-group", role: "group" }, [head]);
    children.forEach(function (child) {
      box.appendChild(isGroup(child) ? self.group(child, children, depth + 1) : self.condition(child, children));
    });
    var addCondition = el("button", { type: "button", className: "btn small", text: this.texts.add_condition });
    addCondition.addEventListener("click", function () {
      children.push(self.blankCondition());
      self.redraw();
    });
    var actions = el("div", { className: "rule-group-actions" }, [addCondition]);
    if (depth < MAX_DEPTH) {
      var addGroup = el("button", { type: "button", className: "btn small ghost", text: this.texts.add_group });
      addGroup.addEventListener("click", function () {
        children.push({ any: [self.blankCondition()] });
        self.redraw();
      });
      actions.appendChild(addGroup);
    }
    box.appendChild(actions);
    return box;
  };

  Builder.prototype.removeButton = function (list, item) {
    var self = this;
    var button = el("button", { type: "button", className: "btn small ghost", text: this.texts.remove });
    button.addEventListener("click", function () {
      var index = list.indexOf(item);
      if (index >= 0) list.splice(index, 1);
      self.redraw();
    });
    return button;
  };

  Builder.prototype.blankCondition = function () {
    var field = this.order[0];
    return { field: field.name, op: field.operators[0].op, value: this.defaultValue(field, field.operators[0].op) };
  };

  Builder.prototype.defaultValue = function (field, op) {
    if (NO_VALUE.indexOf(op) >= 0) return undefined;
    if (DAY_COUNTS.indexOf(op) >= 0) return 7;
    if (op === "in" || op === "not_in") return field.choices.length ? [field.choices[0][0]] : [];
    if (op === "between") return ["", ""];
    if (field.type === "boolean") return true;
    if (field.choices.length) return field.choices[0][0];
    return "";
  };

  Builder.prototype.condition = function (cond, list) {
    var self = this;
    var field = this.fields[cond.field];
    var fieldSelect = el("select", { "aria-label": this.texts.field });
    var groups = {};
    this.order.forEach(function (f) {
      if (!groups[f.group]) {
        groups[f.group] = el("optgroup", { label: f.group });
        fieldSelect.appendChild(groups[f.group]);
      }
      groups[f.group].appendChild(option(f.name, f.label, f.name === cond.field));
    });
    if (!field) fieldSelect.appendChild(option(cond.field, cond.field, true));
    fieldSelect.addEventListener("change", function () {
      var next = self.fields[fieldSelect.value];
      cond.field = next.name;
      cond.op = next.operators[0].op;
      self.setValue(cond, self.defaultValue(next, cond.op));
      self.redraw();
    });
    var row = el("div", { className: "rule-row" }, [fieldSelect]);
    if (field) {
      var opSelect = el("select", { "aria-label": this.texts.operator });
      field.operators.forEach(function (o) { opSelect.appendChild(option(o.op, o.label, o.op === cond.op)); });
      opSelect.addEventListener("change", function () {
        cond.op = opSelect.value;
        self.setValue(cond, self.defaultValue(field, cond.op));
        self.redraw();
      });
      row.appendChild(opSelect);
      this.valueInputs(field, cond).forEach(function (input) { row.appendChild(input); });
    }
    row.appendChild(this.removeButton(list, cond));
    return row;
  };

  Builder.prototype.setValue = function (cond, value) {
    if (value === undefined) delete cond.value;
    else cond.value = value;
  };

  // Numbers stay numbers; anything else is sent as typed so the server can name the problem.
  Builder.prototype.parse = function (field, op, raw) {
    if (DAY_COUNTS.indexOf(op) >= 0 || field.type === "number" || field.type === "reference") {
      var text = String(raw).trim();
      if (text !== "" && !isNaN(Number(text))) return Number(text);
      return text;
    }
    if (field.type === "boolean") return raw === "true";
    return raw;
  };

  Builder.prototype.scalarInput = function (field, op, value, onChange) {
    var self = this;
    var input;
    if (field.type === "boolean") {
      input = el("select", {}, [option("true", this.texts.yes, value === true), option("false", this.texts.no, value === false)]);
    } else if (field.choices.length && DAY_COUNTS.indexOf(op) < 0) {
      input = el("select", {});
      field.choices.forEach(function (c) { input.appendChild(option(c[0], c[1], String(c[0]) === String(value))); });
    } else {
      var type = "text";
      if (DAY_COUNTS.indexOf(op) >= 0 || field.type === "number") type = "number";
      else if (field.type === "date") type = "date";
      input = el("input", { type: type });
      if (type === "number") input.setAttribute("step", field.integer || DAY_COUNTS.indexOf(op) >= 0 ? "1" : "any");
      input.value = value === undefined || value === null ? "" : String(value);
    }
    input.setAttribute("aria-label", DAY_COUNTS.indexOf(op) >= 0 ? this.texts.days : this.texts.value);
    input.addEventListener(input.tagName === "SELECT" ? "change" : "input", function () {
      onChange(self.parse(field, op, input.value));
      self.sync();
    });
    return input;
  };

  Builder.prototype.valueInputs = function (field, cond) {
    var self = this;
    var op = cond.op;
    if (NO_VALUE.indexOf(op) >= 0) return [];
    if (op === "between") {
      var pair = Array.isArray(cond.value) ? cond.value.slice(0, 2) : ["", ""];
      cond.value = pair;
      return [
        this.scalarInput(field, op, pair[0], function (v) { cond.value[0] = v; }),
        el("span", { text: this.texts.and }),
        this.scalarInput(field, op, pair[1], function (v) { cond.value[1] = v; })
      ];
    }
    if (op === "in" || op === "not_in") {
      var values = Array.isArray(cond.value) ? cond.value : [];
      if (field.choices.length) {
        var multi = el("select", { multiple: "multiple", "aria-label": this.texts.value });
        field.choices.forEach(function (c) {
          multi.appendChild(option(c[0], c[1], values.map(String).indexOf(String(c[0])) >= 0));
        });
        multi.addEventListener("change", function () {
          cond.value = Array.prototype.filter.call(multi.options, function (o) { return o.selected; })
            .map(function (o) { return self.parse(field, op, o.value); });
          self.sync();
        });
        return [multi];
      }
      var text = el("input", { type: "text", "aria-label": this.texts.value, placeholder: this.texts.list_hint });
      text.value = values.join(", ");
      text.addEventListener("input", function () {
        cond.value = text.value.split(",").map(function (part) { return part.trim(); })
          .filter(function (part) { return part !== ""; })
          .map(function (part) { return self.parse(field, op, part); });
        self.sync();
      });
      return [text];
    }
    return [this.scalarInput(field, op, cond.value, function (v) { cond.value = v; })];
  };

  function showJsonEditor(textarea) {
    var wrapper = textarea.closest(".rules-json");
    if (wrapper) wrapper.classList.add("show");
  }

  function watchKind() {
    var section = document.querySelector(".rules-section");
    var radios = document.querySelectorAll("input[name=kind][type=radio]");
    function apply() {
      var checked = document.querySelector("input[name=kind][type=radio]:checked");
      if (section && checked) section.hidden = checked.value === "static";
    }
    radios.forEach(function (radio) { radio.addEventListener("change", apply); });
    apply();
  }

  function start() {
    watchKind();
    var root = document.getElementById("rule-builder");
    var textarea = document.getElementById("id_rules");
    var fields = readJson("segment-fields");
    var texts = readJson("segment-texts");
    if (!root || !textarea || !fields || !texts) return;
    var builder;
    try {
      builder = new Builder(root, textarea, fields, texts);
      if (!isGroup(builder.tree)) throw new Error("not a group");
    } catch (err) {
      showJsonEditor(textarea);  // rules the builder cannot show: edit them as JSON
      return;
    }
    root.hidden = false;
    if (textarea.getAttribute("aria-invalid") === "true") showJsonEditor(textarea);
    builder.root.replaceChildren(builder.group(builder.tree, null, 1));
  }

  if (document.readyState !== "loading") start();
  else document.addEventListener("DOMContentLoaded", start);
})();
