// The referral form's employee picker (workflow/referral_form.html): type
// part of a name or staff number, choose from the matches, and the staff
// number field is filled in. Without this script the staff number field
// works alone; the server checks the number either way (web/referrals.py).
//
// An ARIA 1.2 combobox: the input owns a listbox of options; arrow keys move
// through them (aria-activedescendant), Enter chooses, Escape closes, and a
// status line says how many matched. A static file, not an inline script:
// the Content-Security-Policy allows scripts from our own static files only.
//
// Also: the submit button is disabled once the form is sent, so a double
// click sends it once. That is a nicety; the form's one-time key is what
// stops a second case (referral_submit).
(() => {
  const form = document.querySelector("[data-testid=referral-form]");
  if (!form) return;

  const button = form.querySelector("[data-testid=submit-referral]");
  form.addEventListener("submit", () => {
    // After the browser has taken the form's data, so the button is still sent.
    setTimeout(() => {
      if (button) button.disabled = true;
    }, 0);
  });
  // Back to this page from the browser's cache: the button works again.
  window.addEventListener("pageshow", () => {
    if (button) button.disabled = false;
  });

  const picker = form.querySelector("[data-testid=employee-picker]");
  const target = form.querySelector("#id_staff_number");
  if (!picker || !target) return;
  const input = picker.querySelector("[role=combobox]");
  const list = picker.querySelector("[role=listbox]");
  const status = picker.querySelector("[role=status]");
  const chosen = picker.querySelector("[data-testid=picker-chosen]");
  const url = picker.dataset.url;
  picker.hidden = false;

  let options = [];
  let active = -1;
  let timer = null;
  let asked = 0;

  const close = () => {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  };

  const show = (index) => {
    options.forEach((el, i) => el.setAttribute("aria-selected", String(i === index)));
    active = index;
    if (index >= 0) {
      input.setAttribute("aria-activedescendant", options[index].id);
      options[index].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  };

  const choose = (el) => {
    target.value = el.dataset.staffNumber;
    input.value = el.dataset.name;
    chosen.textContent = `Chosen: ${el.dataset.name}, ${el.dataset.department}, staff number ${el.dataset.staffNumber}.`;
    status.textContent = chosen.textContent;
    close();
  };

  const render = (data) => {
    list.replaceChildren();
    options = data.results.map((row, i) => {
      const li = document.createElement("li");
      li.id = `employee-picker-option-${i}`;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      li.className = "ftp-picker__option";
      li.dataset.staffNumber = row.staff_number;
      li.dataset.name = row.name;
      li.dataset.department = row.department;
      const name = document.createElement("span");
      name.className = "ftp-picker__name";
      name.textContent = row.name;
      const meta = document.createElement("span");
      meta.className = "ftp-picker__meta";
      meta.textContent = `${row.department} · ${row.job_title} · ${row.staff_number}`;
      li.append(name, meta);
      // mousedown, not click: it comes before the input loses focus.
      li.addEventListener("mousedown", (event) => {
        event.preventDefault();
        choose(li);
      });
      list.append(li);
      return li;
    });
    const count = options.length;
    status.textContent =
      count === 0
        ? "No employee you may refer matches. Check the spelling, or type their staff number below."
        : `${count}${data.more ? " or more" : ""} match${count === 1 ? "" : "es"}. Use the up and down arrows to choose.`;
    list.hidden = count === 0;
    input.setAttribute("aria-expanded", String(count > 0));
    active = -1;
  };

  const search = async () => {
    const text = input.value.trim();
    if (text.length < 2) {
      list.replaceChildren();
      options = [];
      close();
      status.textContent = text ? "Type at least 2 letters." : "";
      return;
    }
    const ask = ++asked;
    try {
      const response = await fetch(`${url}?${new URLSearchParams({ q: text })}`, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (ask !== asked) return; // a later search has started
      const data = await response.json();
      if (!response.ok) {
        close();
        status.textContent = Object.values(data.errors || {}).flat().join(" ") || data.error || "";
        return;
      }
      render(data);
    } catch (error) {
      if (ask === asked) status.textContent = "Could not search just now: type the staff number below.";
    }
  };

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(search, 200);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" && options.length) {
      event.preventDefault();
      if (list.hidden) {
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
      }
      show((active + 1) % options.length);
    } else if (event.key === "ArrowUp" && options.length) {
      event.preventDefault();
      show(active <= 0 ? options.length - 1 : active - 1);
    } else if (event.key === "Enter") {
      // Enter chooses; it never sends the half-filled form.
      event.preventDefault();
      if (active >= 0 && !list.hidden) choose(options[active]);
    } else if (event.key === "Escape") {
      close();
    }
  });
  input.addEventListener("blur", () => setTimeout(close, 100));
})();
