#!/usr/bin/perl
# tests/geoip/make-mmdb.pl DIR - write small MaxMind-format databases with known answers
# for the test ranges the samples use (MaxMind::DB::Writer, Debian libmaxmind-db-writer-perl):
#   asn.mmdb      GeoLite2-ASN          10.99.1.0/24 -> AS64500 "Example Transit <b>&co";
#                                       10.99.1.1/32 -> AS64501, a name with an OSC 8 link
#   city.mmdb     GeoLite2-City         10.99.1.2/32 -> DE, Berlin; 10.99.1.0/24 -> FR
#   wrong-name.dat DBIP-Country-Lite    10.99.0.0/16 -> CH (named so that only metadata tells)
#   anon.mmdb     GeoIP2-Anonymous-IP   (a type shakedown does not read)
use strict;
use warnings;
use MaxMind::DB::Writer::Tree;

my $dir = shift or die "usage: $0 DIR\n";

sub tree {
	my ($type, $types) = @_;
	return MaxMind::DB::Writer::Tree->new(
		ip_version            => 6,
		record_size           => 24,
		database_type         => $type,
		languages             => ['en'],
		description           => { en => "shakedown test $type" },
		map_key_type_callback => sub { $types->{ $_[0] } },
		remove_reserved_networks => 0,
		alias_ipv6_to_ipv4    => 1,
	);
}

sub write_tree {
	my ($t, $path) = @_;
	open my $fh, '>:raw', $path or die "$path: $!\n";
	$t->write_tree($fh);
	close $fh or die "$path: $!\n";
}

my $asn = tree('GeoLite2-ASN', {
	autonomous_system_number       => 'uint32',
	autonomous_system_organization => 'utf8_string',
});
$asn->insert_network('10.99.1.0/24', {
	autonomous_system_number => 64500,
	autonomous_system_organization => 'Example Transit <b>&co',
});
$asn->insert_network('10.99.1.1/32', {
	autonomous_system_number => 64501,
	autonomous_system_organization => "Evil\x{1b}]8;;http://x\x{07}Net",
});
$asn->insert_network('fd00:99::/32', {
	autonomous_system_number => 64502,
	autonomous_system_organization => 'Example Six',
});
write_tree($asn, "$dir/asn.mmdb");

my %geo = (
	country => 'map', iso_code => 'utf8_string', names => 'map', en => 'utf8_string',
	city => 'map', registered_country => 'map', geoname_id => 'uint32',
);
my $city = tree('GeoLite2-City', \%geo);
$city->insert_network('10.99.1.0/24', { country => { iso_code => 'FR' } });
$city->insert_network('10.99.1.2/32', {
	country => { iso_code => 'DE' }, city => { names => { en => 'Berlin' } },
});
write_tree($city, "$dir/city.mmdb");

my $cc = tree('DBIP-Country-Lite (compat=Country)', \%geo);
$cc->insert_network('10.99.0.0/16', { country => { iso_code => 'CH' } });
write_tree($cc, "$dir/wrong-name.dat");

my $anon = tree('GeoIP2-Anonymous-IP', { is_anonymous => 'boolean' });
$anon->insert_network('10.99.1.0/24', { is_anonymous => 1 });
write_tree($anon, "$dir/anon.mmdb");
