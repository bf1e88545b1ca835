// A CSV export as the API writes it (GET …?format=csv), downloaded as a file: the transactions log,
// the audit log and a month's statement; and a document the API renders (a statement's PDF). A
// refused or failed export is kept as an error for the view to show.

import { useState } from 'react';
import { ApiError, NetworkError } from './client';

interface TextAnswer {
  data?: unknown;
  error?: unknown;
  response: Response;
}

/** `request` asks the API for the CSV (`parseAs: 'text'`); `run` downloads it as `fileName`. */
export function useCsvExport(request: () => Promise<TextAnswer>, fileName: string) {
  return useFileExport(request, fileName, 'text/csv');
}

/** `request` asks the API for a file (`parseAs: 'text'` or `'blob'`); `run` downloads it as `fileName`. */
export function useFileExport(request: () => Promise<TextAnswer>, fileName: string, type: string) {
  const [state, setState] = useState<'idle' | 'busy' | Error>('idle');
  const run = async () => {
    setState('busy');
    try {
      const result = await request().catch((error: unknown) => {
        throw new NetworkError('IO Credits could not be reached. Check your connection and try again.', {
          cause: error,
        });
      });
      if (!result.response.ok)
        throw new ApiError(
          typeof result.error === 'object' && result.error
            ? (result.error as ApiError['problem'])
            : {
                title: 'Export failed',
                status: result.response.status,
                detail: `The export failed with status ${result.response.status}.`,
                code: 'unknown',
              },
        );
      // parseAs hands the file over as text or a Blob; the generated types describe the JSON answer.
      download(result.data as string | Blob, fileName, type);
      setState('idle');
    } catch (error) {
      setState(error instanceof Error ? error : new Error(String(error)));
    }
  };
  return { run, busy: state === 'busy', error: state instanceof Error ? state : null };
}

function download(content: string | Blob, name: string, type: string) {
  const url = URL.createObjectURL(new Blob([content], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
