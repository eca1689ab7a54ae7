/** The flowsieve config both LuCI page checks start the live lab's daemon with. */
export const CONFIG = `config globals 'globals'
	option enabled '1'
	option queue '0'
	option fail_open '1'
	option packet_cap '32'
	list lan 'r0'
	list wan 'r1'
	option timezone 'UTC'
	option log_level 'info'

config target 'log_matches'
	option target_type 'log'
	option target_enabled '1'
	option prefix 'flowsieve-matches'
	option path '/tmp'
	option interval '60'

config target 'block'
	option target_type 'nftset'
	option target_enabled '0'
	option set_name 'block'
	option table_name 'flowsieve'
	option table_family 'inet'
	list type 'other_addr'
	list type 'other_port'
	option ttl '900'

config exemption 'global'
	list exemption '10.77.1.99'

config action 'streaming'
	option enabled '1'
	list criteria "category == 'streaming-media';"
	list target 'log_matches'

config action 'wiki'
	option enabled '1'
	list criteria "detected_hostname == 'www.wikipedia.org';"
	list target 'log_matches'
`;
