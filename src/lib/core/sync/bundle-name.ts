/** The file extension of a sync bundle [SNK-1] (its own module: the home screen needs only this). */
export const BUNDLE_EXTENSION = '.hearth';
