/** flowsieve's version, in one place for `flowsieve version`, the bundle and ubus status. */
export const VERSION = '0.1.0';
