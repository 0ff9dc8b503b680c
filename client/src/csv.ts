/** Downloads: CSV the page built (a chart's series, written by protocol/csv.ts as the server's exports are) and the server's own exports. */
import { ApiError, serverCsv } from './api.js';
import { h } from './dom.js';

export function downloadCsv(filename: string, csv: string): void {
  const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * A "CSV" button for one of the server's own exports: fetched with the token, then saved as a
 * file. While it downloads the button is disabled; a failure shows on the button for a few seconds
 * (a 401 also brings up the sign-in prompt, from the request itself).
 */
export function serverCsvButton(testid: string, path: string, filename: string): HTMLButtonElement {
  const button = h('button', { class: 'btn btn-small', type: 'button', 'data-testid': testid, title: 'Download as CSV' }, 'CSV');
  button.addEventListener('click', () => {
    button.disabled = true;
    serverCsv(path)
      .then(
        (file) => downloadCsv(file.filename ?? filename, file.csv),
        (error: Error) => {
          button.textContent = error instanceof ApiError && error.status === 403 ? 'CSV: role too weak' : 'CSV failed';
          button.title = error.message;
          button.dataset.error = error.message;
          setTimeout(() => {
            button.textContent = 'CSV';
            button.title = 'Download as CSV';
            delete button.dataset.error;
          }, 5_000);
        },
      )
      .finally(() => (button.disabled = false));
  });
  return button;
}
