import express from 'express';
import express4 from 'express4';

/** The Express versions the adapter serves, each test of it run on both: a name and the app factory. */
export const expressVersions = [
  ['Express 5', express],
  ['Express 4', express4],
] as const;
